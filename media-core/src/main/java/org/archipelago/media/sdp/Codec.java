package org.archipelago.media.sdp;

import org.archipelago.media.rtp.RedPayload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One RTP payload format of an m= section: its a=rtpmap (RFC 8866 §6.6), a=fmtp (§6.15) and the
 * a=rtcp-fb lines that name its payload type (RFC 4585 §4.2; wildcard lines are kept on the
 * {@link MediaDescription}).
 *
 * @param payloadType the dynamic or static RTP payload type, 0-127
 * @param name        the encoding name as written, e.g. {@code opus}, {@code VP8}, {@code H264}, {@code rtx}
 * @param clockRate   the RTP clock rate in Hz
 * @param channels    the number of audio channels; 1 when the rtpmap gives none
 * @param fmtp        the raw a=fmtp parameter text, or the empty string
 * @param parameters  the fmtp parameters split at {@code ;} and the first {@code =}, in order; a
 *                    parameter without {@code =} maps to the empty string
 * @param feedback    the RTCP feedback lines given for this payload type
 */
public record Codec(int payloadType, String name, int clockRate, int channels, String fmtp,
                    Map<String, String> parameters, List<RtcpFeedback> feedback) {
    public static final String RTX = "rtx";
    public static final String RED = "red";

    public Codec {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        feedback = List.copyOf(feedback);
    }

    /** Whether this is a retransmission format (RFC 4588 §8.6). */
    public boolean isRtx() {
        return RTX.equalsIgnoreCase(name);
    }

    /** For an RTX format, the payload type it retransmits (fmtp {@code apt}, RFC 4588 §8.6); empty otherwise or when invalid. */
    public OptionalInt apt() {
        String apt = parameters.get("apt");
        if (!isRtx() || apt == null || apt.isEmpty() || apt.length() > 3) {
            return OptionalInt.empty();
        }
        for (int i = 0; i < apt.length(); i++) {
            if (apt.charAt(i) < '0' || apt.charAt(i) > '9') {
                return OptionalInt.empty();
            }
        }
        int value = Integer.parseInt(apt);
        return value <= SdpParser.MAX_PAYLOAD_TYPE ? OptionalInt.of(value) : OptionalInt.empty();
    }

    /** Whether this is the redundant audio format (RFC 2198 §5: {@code red}). */
    public boolean isRed() {
        return RED.equalsIgnoreCase(name);
    }

    /**
     * For a RED format, the payload types its fmtp names, primary first (RFC 2198 §5:
     * {@code a=fmtp:63 111/111}, Opus carrying Opus); empty otherwise or when the list is not
     * 1 to {@link RedPayload#MAX_BLOCKS} payload types of 0-127 separated by {@code /}.
     */
    public List<Integer> redBlockPayloadTypes() {
        if (!isRed() || fmtp.isEmpty()) {
            return List.of();
        }
        String[] parts = fmtp.trim().split("/", -1);
        if (parts.length > RedPayload.MAX_BLOCKS) {
            return List.of();
        }
        List<Integer> payloadTypes = new ArrayList<>(parts.length);
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) {
                return List.of();
            }
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                    return List.of();
                }
            }
            int value = Integer.parseInt(part);
            if (value > SdpParser.MAX_PAYLOAD_TYPE) {
                return List.of();
            }
            payloadTypes.add(value);
        }
        return List.copyOf(payloadTypes);
    }

    /** The fmtp parameter with this name (compared ignoring case), or null. */
    public String parameter(String name) {
        for (Map.Entry<String, String> entry : parameters.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** Same format with another fmtp text and feedback list: what an answer says of an offered format. */
    Codec withFmtpAndFeedback(String newFmtp, List<RtcpFeedback> newFeedback) {
        return new Codec(payloadType, name, clockRate, channels, newFmtp, parseFmtp(newFmtp), newFeedback);
    }

    /** Splits fmtp text into parameters: {@code a=1;b=2} (RFC 8866 §6.15 leaves the format to each codec; this is the common one). */
    static Map<String, String> parseFmtp(String fmtp) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String part : fmtp.split(";")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                parameters.put(trimmed, "");
            } else {
                parameters.put(trimmed.substring(0, equals).trim(), trimmed.substring(equals + 1).trim());
            }
        }
        return parameters;
    }

    String rtpmapValue() {
        return payloadType + " " + name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
