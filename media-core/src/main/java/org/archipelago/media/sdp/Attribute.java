package org.archipelago.media.sdp;

/**
 * An a= line the parser does not interpret (RFC 8866 §5.13: unknown attributes are ignored), kept so
 * that callers can still look at it.
 *
 * @param name  the attribute name
 * @param value the text after the first colon, or null for a property attribute such as {@code a=bundle-only}
 */
public record Attribute(String name, String value) {
    String toSdpValue() {
        return value == null ? name : name + ":" + value;
    }
}
