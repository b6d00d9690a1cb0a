package org.archipelago.media.srtp;

/** The four transformations an {@link SrtpSession} performs, for counting. */
public enum SrtpOperation {
    PROTECT_RTP,
    PROTECT_RTCP,
    UNPROTECT_RTP,
    UNPROTECT_RTCP
}
