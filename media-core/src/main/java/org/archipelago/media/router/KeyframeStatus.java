package org.archipelago.media.router;

/** What a {@link KeyframeDetector} can say about one RTP packet. */
public enum KeyframeStatus {
    /** A receiver can start decoding at this packet: the first packet of a key frame, or audio. */
    KEYFRAME,
    /** The codec is understood and this packet does not start a key frame. */
    NOT_KEYFRAME,
    /** The codec's key frames are not detected (yet): the packet may or may not start one. */
    UNKNOWN
}
