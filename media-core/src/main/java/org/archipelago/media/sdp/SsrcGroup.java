package org.archipelago.media.sdp;

import java.util.List;

/**
 * An a=ssrc-group line (RFC 5576 §4.2): {@code FID} pairs a primary SSRC with its RTX SSRC (RFC 4588
 * §8.1), {@code SIM} lists simulcast layers from lowest to highest (libwebrtc's convention).
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {
    public static final String FID = "FID";
    public static final String SIM = "SIM";

    public SsrcGroup {
        ssrcs = List.copyOf(ssrcs);
    }
}
