package org.archipelago.media.impair;

/** Which way a datagram crosses the server's UDP port, seen from the server. */
public enum Direction {
    /** From the remote address to the server: impaired before the demultiplexer sees it. */
    INGRESS,
    /** From the server to the remote address: impaired before the socket writes it. */
    EGRESS
}
