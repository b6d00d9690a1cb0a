package org.archipelago.media.dtls;

/** Why a DTLS handshake did not complete; each is counted in {@link DtlsCounters}. */
public enum DtlsFailureReason {
    /** No complete handshake within {@link DtlsTransportConfig#handshakeTimeout()}. */
    TIMEOUT,
    /** The peer's certificate does not hash to the fingerprint from its SDP (RFC 5763 §5). */
    FINGERPRINT_MISMATCH,
    /** The peer presented no certificate although both ends must (RFC 5763 §5). */
    NO_PEER_CERTIFICATE,
    /** The peer offered or selected no SRTP protection profile we support (RFC 5764 §4.1.1). */
    NO_COMMON_SRTP_PROFILE,
    /** The peer sent a fatal alert (or close_notify) during the handshake. */
    ALERT_RECEIVED,
    /** close() was called before the handshake completed. */
    CLOSED_LOCALLY,
    /** Anything else: malformed or unexpected messages, no common cipher suite, internal errors. */
    PROTOCOL_ERROR
}
