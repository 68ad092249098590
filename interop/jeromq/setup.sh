#!/bin/sh
# Installs what the JeroMQ interop tests need: a JDK (java and javac) and
# Debian's libjeromq-java (JeroMQ 0.3.6, /usr/share/java/jeromq.jar).
# Never fails: the tests skip, saying why, when something is missing.

JAR=/usr/share/java/jeromq.jar

need=""
command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || need="default-jdk-headless"
[ -f "$JAR" ] || need="$need libjeromq-java"

if [ -n "$need" ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "JeroMQ peer: no apt-get to install$need; the JeroMQ interop tests will skip"
		exit 0
	fi
	echo "installing$need for the JeroMQ interop tests"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # $need is a list of package names
	if ! apt-get install -y -qq $need >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1
		apt-get install -y -qq $need >/dev/null 2>&1 ||
			echo "could not install$need; the JeroMQ interop tests will skip"
	fi
fi

if [ -f "$JAR" ] && command -v javac >/dev/null 2>&1; then
	version=$(dpkg-query -W -f '${Version}' libjeromq-java 2>/dev/null)
	echo "JeroMQ peer: libjeromq-java ${version:-unknown} with $(javac -version 2>&1)"
fi
exit 0
