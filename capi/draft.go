package main

import "C"

// draftBuilt says whether the draft API is exported (zmq_has("draft")).
const draftBuilt C.int = 0
