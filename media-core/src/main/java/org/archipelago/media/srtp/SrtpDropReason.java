package org.archipelago.media.srtp;

/**
 * Why {@link SrtpSession} refused to protect or unprotect a packet. Each refusal is counted under
 * exactly one reason (see {@link SrtpCounters}); nothing on the media path throws.
 */
public enum SrtpDropReason {
    /** Fewer readable bytes than the RTP/RTCP header, the SRTCP index and the tag need (RFC 3550 §5.1, §6.4; RFC 3711 §3.1, §3.4). */
    TOO_SHORT,
    /** The version field is not 2 (RFC 3550 §5.1): not RTP/RTCP, or mis-demultiplexed (RFC 7983). */
    BAD_VERSION,
    /** The authentication tag did not verify (RFC 3711 §3.3 step 5; RFC 7714 §9.2: AEAD decryption failed). */
    AUTH_FAILED,
    /** The packet index was accepted before: a replay (RFC 3711 §3.3.2). */
    REPLAYED,
    /** The packet index is behind the replay window, so it cannot be checked and is dropped (RFC 3711 §3.3.2). */
    TOO_OLD,
    /** A new SSRC would exceed the session's stream limit; protects against state exhaustion. */
    TOO_MANY_STREAMS,
    /** Protect only: the buffer's capacity cannot take the tag (and for SRTCP the 4-byte index) in place. */
    NO_TAILROOM,
    /** A buffer without an accessible array is longer than the copy path's scratch array. */
    TOO_LARGE,
    /** The buffer is read-only, so it cannot be transformed in place. */
    READ_ONLY_BUFFER,
    /** The crypto library failed: key derivation, cipher error, or an unexpected library exception. */
    CRYPTO_ERROR,
    /**
     * A well-formed packet of a form this session does not handle: authenticated but unencrypted
     * AEAD SRTCP (E flag 0, RFC 7714 §9), which jitsi-srtp cannot verify.
     */
    UNSUPPORTED,
    /** The session was closed. */
    CLOSED
}
