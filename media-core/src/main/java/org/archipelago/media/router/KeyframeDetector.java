package org.archipelago.media.router;

import org.archipelago.media.rtp.RtpPacket;

/**
 * Tells, per codec, whether an RTP packet is a point where a receiver can start decoding: the
 * router makes a downstream that was just subscribed or switched wait for such a packet, and a
 * source's {@link KeyframeRequester} stops asking once one arrives.
 *
 * <p>Stateless constants, safe from any thread. The router keeps one per payload type of a source.
 *
 * <h2>Codecs</h2>
 * <ul>
 *   <li>{@link #AUDIO} (Opus, G.711, ...): every packet decodes on its own, so every packet is a
 *       {@link KeyframeStatus#KEYFRAME}.</li>
 *   <li>{@link #VP8}: the first packet of a key frame, parsed by {@link Vp8PayloadDescriptor}.</li>
 *   <li>{@link #UNDETECTED}: H264, VP9 and AV1 until their payload formats are parsed. Every packet
 *       is {@link KeyframeStatus#UNKNOWN}: the router forwards without waiting (the subscriber's
 *       decoder may show artefacts until the next key frame), still asks the publisher for a key
 *       frame, and, unable to see it arrive, repeats the request up to its retry bound.</li>
 * </ul>
 */
public enum KeyframeDetector {
    AUDIO {
        @Override
        public KeyframeStatus check(RtpPacket packet) {
            return KeyframeStatus.KEYFRAME;
        }
    },
    VP8 {
        @Override
        public KeyframeStatus check(RtpPacket packet) {
            return Vp8PayloadDescriptor.isKeyframe(packet.buffer(), packet.payloadOffset(), packet.payloadLength())
                    ? KeyframeStatus.KEYFRAME
                    : KeyframeStatus.NOT_KEYFRAME;
        }
    },
    UNDETECTED {
        @Override
        public KeyframeStatus check(RtpPacket packet) {
            return KeyframeStatus.UNKNOWN;
        }
    };

    /** Classifies a valid packet; never throws for any payload. */
    public abstract KeyframeStatus check(RtpPacket packet);
}
