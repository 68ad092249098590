package main

import (
	"flag"
	"fmt"
	"io"

	zmq "github.com/purezmq/zmq4"
)

const keygenUsage = `usage: zmq keygen [-o BASENAME]
  Prints a new CURVE key pair in Z85 ("public: KEY" and "secret: KEY").
  -o BASENAME   also write the CZMQ certificates BASENAME (public key only)
                and BASENAME_secret (both keys, readable by the owner only)
`

// runKeygen is `zmq keygen`.
func runKeygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	base := fs.String("o", "", "write certificates BASENAME and BASENAME_secret")
	if err := parseFlags(fs, args, keygenUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments\n" + keygenUsage)
	}
	cert, err := zmq.NewCert()
	if err != nil {
		return err
	}
	if *base != "" {
		if err := cert.Save(*base); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "public: %s\nsecret: %s\n", cert.PublicTxt(), cert.SecretTxt())
	return err
}
