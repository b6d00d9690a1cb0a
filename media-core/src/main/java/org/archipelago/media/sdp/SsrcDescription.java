package org.archipelago.media.sdp;

import java.util.List;

/**
 * The a=ssrc lines of one SSRC (RFC 5576 §4.1), e.g. {@code a=ssrc:1234 cname:abc} and
 * {@code a=ssrc:1234 msid:stream track}.
 *
 * @param ssrc       the synchronization source, 0 to 2^32-1
 * @param attributes the source attributes in the order of the lines; a value is null when the line has no colon
 */
public record SsrcDescription(long ssrc, List<Attribute> attributes) {
    public SsrcDescription {
        attributes = List.copyOf(attributes);
    }

    /** The value of the named source attribute, or null when there is none. */
    public String attribute(String name) {
        for (Attribute attribute : attributes) {
            if (attribute.name().equals(name)) {
                return attribute.value();
            }
        }
        return null;
    }

    /** The RTCP canonical name (RFC 5576 §6.1), or null. */
    public String cname() {
        return attribute("cname");
    }

    /** The source-level msid (RFC 8830 §2, libwebrtc's Plan B heritage), or null. */
    public Msid msid() {
        String value = attribute("msid");
        if (value == null || value.isBlank()) {
            return null;
        }
        String[] parts = value.trim().split(" +", 2);
        return new Msid(parts[0], parts.length > 1 ? parts[1] : null);
    }
}
