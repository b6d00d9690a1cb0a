/**
 * Session descriptions for WebRTC (RFC 8866 SDP as used by RFC 8829 JSEP): parsing browsers' offers,
 * answering them as an ICE-lite, DTLS-passive, BUNDLE-only SFU, and offering for Archipelago's own peers.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link org.archipelago.media.sdp.SdpParser#parse(String)}: text to {@link
 *       org.archipelago.media.sdp.SessionDescription}, or an {@link org.archipelago.media.sdp.SdpParseException}
 *       naming the offending line;
 *   <li>{@link org.archipelago.media.sdp.SdpAnswerBuilder}: an offer plus the server's ICE credentials,
 *       fingerprint, candidates, codecs and send streams to an {@link org.archipelago.media.sdp.SdpAnswer},
 *       whose {@link org.archipelago.media.sdp.NegotiatedMedia} per mid says how to map incoming packets;
 *   <li>{@link org.archipelago.media.sdp.SdpOfferBuilder}: offers for test clients and relay links;
 *   <li>{@link org.archipelago.media.sdp.SessionDescription#toSdp()}: the model back to CRLF text.
 * </ul>
 *
 * <p>All of this is control path: it allocates freely and reports errors with exceptions. Nothing here
 * runs per packet; the peer turns {@code NegotiatedMedia} into the arrays the media path looks up.
 */
package org.archipelago.media.sdp;
