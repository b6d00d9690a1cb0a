package org.archipelago.media.sdp;

import java.util.List;

/** An a=group line (RFC 5888 §5), e.g. {@code a=group:BUNDLE 0 1 2} (RFC 8843 §7). */
public record Group(String semantics, List<String> mids) {
    public static final String BUNDLE = "BUNDLE";

    public Group {
        mids = List.copyOf(mids);
    }
}
