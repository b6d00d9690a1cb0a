package org.archipelago.media.peer;

/**
 * A remote offer that parses but cannot be answered: no ICE credentials or DTLS fingerprint, no
 * m-section we can accept, or the server is full. The message says which, for the client.
 */
public final class OfferRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public OfferRejectedException(String message) {
        super(message);
    }
}
