package org.archipelago.media.dtls;

/**
 * Which end of the DTLS handshake this transport plays.
 *
 * <p>In SDP the role follows from {@code a=setup} (RFC 5763 §5, RFC 8842 §5): the endpoint that
 * is {@code active} is the DTLS client, the {@code passive} one the DTLS server. An ICE-lite
 * server answers {@code a=setup:passive}, so towards browsers Archipelago is the {@link #SERVER}.
 */
public enum DtlsRole {
    /** Sends the ClientHello; the client_write SRTP keys protect what it sends (RFC 5764 §4.2). */
    CLIENT,
    /** Waits for the ClientHello; the server_write SRTP keys protect what it sends. */
    SERVER
}
