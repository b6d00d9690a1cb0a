package org.archipelago.media.peer;

import java.util.Objects;

/**
 * A remote offer that parses but cannot be answered: no ICE credentials or DTLS fingerprint, no
 * m-section we can accept, or the server is full. The message says which, for the client.
 */
public final class OfferRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why, for callers that map it to their own error codes. */
    public enum Reason {
        /** The peer limit is reached: the offer may succeed later. */
        SERVER_FULL,
        /** The offer itself cannot be answered. */
        UNANSWERABLE
    }

    private final Reason reason;

    public OfferRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
