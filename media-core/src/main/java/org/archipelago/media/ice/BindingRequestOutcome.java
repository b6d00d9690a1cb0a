package org.archipelago.media.ice;

/**
 * What {@link IceLiteAgent#handleBindingRequest} did with a datagram. The {@code DROPPED_*} and
 * {@code IGNORED_*} values wrote nothing; every value is counted by {@link IceLiteAgent#count}.
 */
public enum BindingRequestOutcome {
    /** Answered; the selected address did not change. */
    RESPONDED,
    /** Answered, and {@link IceLiteAgent#selectedAddress()} is now the sender. */
    RESPONDED_SELECTED_ADDRESS_CHANGED,
    /** A Binding indication (a keepalive, RFC 8445 §11): nothing to answer. */
    IGNORED_INDICATION,
    /** Not a STUN message the parser accepts; {@link IceLiteAgent#malformedCount} says why. */
    DROPPED_MALFORMED,
    /** Valid STUN but not a Binding request (another method, or a response we never asked for). */
    DROPPED_NOT_BINDING_REQUEST,
    /** FINGERPRINT present but wrong. */
    DROPPED_BAD_FINGERPRINT,
    /** No USERNAME (RFC 8489 §9.1.3 would answer 400; we answer nothing unauthenticated). */
    DROPPED_NO_USERNAME,
    /** USERNAME is not "localUfrag:remoteUfrag". */
    DROPPED_WRONG_USERNAME,
    /** No MESSAGE-INTEGRITY. */
    DROPPED_NO_MESSAGE_INTEGRITY,
    /** MESSAGE-INTEGRITY does not verify with the local password. */
    DROPPED_BAD_MESSAGE_INTEGRITY,
    /** The sender is an unresolved socket address, so there is nothing to put in XOR-MAPPED-ADDRESS. */
    DROPPED_UNRESOLVED_SENDER,
    /** The response buffer cannot hold the response. */
    DROPPED_RESPONSE_BUFFER_TOO_SMALL;

    public static final int COUNT = values().length;

    /** Whether a response was written. */
    public boolean responded() {
        return this == RESPONDED || this == RESPONDED_SELECTED_ADDRESS_CHANGED;
    }
}
