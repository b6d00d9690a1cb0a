package org.archipelago.media.router;

/**
 * Asks the publisher of one source for a key frame. The router's {@link KeyframeRequester} decides
 * when (throttled); the sink decides how, because only the caller knows what the publisher
 * negotiated: a PLI ({@code RtcpPictureLossIndication.write}, RFC 4585 §6.3.1) when it accepts
 * {@code a=rtcp-fb:* nack pli}, a FIR ({@code RtcpFullIntraRequest.write}, RFC 5104 §4.3.1) where
 * {@code ccm fir} was negotiated, or a message over a relay link for a source relayed from another
 * server. A FIR sink increments its command sequence number on every call: each call is a new
 * request (a publisher ignores a FIR that repeats the last number, RFC 5104 §4.3.1.2).
 *
 * <p>Called on the router's event loop; it must not block.
 */
@FunctionalInterface
public interface KeyframeRequestSink {
    void requestKeyframe();
}
