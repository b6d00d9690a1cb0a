package org.archipelago.media.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An a=rid line (RFC 8851 §4): {@code a=rid:<id> <send|recv> [pt=<list>;<restriction>=<value>;...]}.
 *
 * @param id           the RTP stream id, also carried in the rtp-stream-id header extension
 * @param direction    whether the writer of the description sends or receives this stream
 * @param payloadTypes the payload types the stream is restricted to ({@code pt=}), empty when unrestricted
 * @param restrictions the other restrictions in order ({@code max-width}, {@code max-fps}, ...); a
 *                     restriction without {@code =} maps to the empty string
 */
public record RidDescription(String id, StreamDirection direction, List<Integer> payloadTypes,
                             Map<String, String> restrictions) {
    public RidDescription {
        payloadTypes = List.copyOf(payloadTypes);
        restrictions = Collections.unmodifiableMap(new LinkedHashMap<>(restrictions));
    }

    String toSdpValue() {
        StringBuilder value = new StringBuilder(id).append(' ').append(direction.token());
        String separator = " ";
        if (!payloadTypes.isEmpty()) {
            value.append(separator).append("pt=");
            for (int i = 0; i < payloadTypes.size(); i++) {
                value.append(i == 0 ? "" : ",").append(payloadTypes.get(i));
            }
            separator = ";";
        }
        for (Map.Entry<String, String> restriction : restrictions.entrySet()) {
            value.append(separator).append(restriction.getKey());
            if (!restriction.getValue().isEmpty()) {
                value.append('=').append(restriction.getValue());
            }
            separator = ";";
        }
        return value.toString();
    }
}
