package org.archipelago.media.sdp;

/**
 * One a=rtcp-fb capability (RFC 4585 §4.2), e.g. {@code nack pli}: type {@code nack}, parameter {@code pli}.
 *
 * @param type      the feedback type: {@code nack}, {@code ccm}, {@code goog-remb}, {@code transport-cc}, ...
 * @param parameter the rest of the line after the type, or the empty string when there is none
 */
public record RtcpFeedback(String type, String parameter) {
    public static final RtcpFeedback NACK = new RtcpFeedback("nack", "");
    public static final RtcpFeedback NACK_PLI = new RtcpFeedback("nack", "pli");
    public static final RtcpFeedback CCM_FIR = new RtcpFeedback("ccm", "fir");
    public static final RtcpFeedback GOOG_REMB = new RtcpFeedback("goog-remb", "");
    public static final RtcpFeedback TRANSPORT_CC = new RtcpFeedback("transport-cc", "");

    @Override
    public String toString() {
        return parameter.isEmpty() ? type : type + " " + parameter;
    }
}
