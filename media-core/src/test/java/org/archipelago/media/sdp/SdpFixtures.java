package org.archipelago.media.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Offers recorded from real peers, stored with LF line endings and served with CRLF as they arrive
 * over the wire.
 *
 * <ul>
 *   <li>{@code chrome-offer.sdp}: a Chrome 12x-style offer with audio, simulcast video (rids q/h/f),
 *       VP8/VP9/H264 variants/AV1 with RTX, red/ulpfec, transport-cc, candidates and a data channel.
 *   <li>{@code libwebrtc-offer.sdp}: the offer of native libwebrtc (webrtc-java 0.14) with one audio and
 *       one video sendrecv transceiver: a=ssrc lines and an FID group, no simulcast.
 *   <li>{@code firefox-offer.sdp}: a Firefox-style offer: session-level fingerprint and direction,
 *       fmtp before rtpmap, extmap with direction, 8-character ufrag.
 * </ul>
 */
final class SdpFixtures {
    static final String CHROME = "chrome-offer.sdp";
    static final String LIBWEBRTC = "libwebrtc-offer.sdp";
    static final String FIREFOX = "firefox-offer.sdp";
    static final List<String> ALL = List.of(CHROME, LIBWEBRTC, FIREFOX);

    private SdpFixtures() {
    }

    static String load(String name) {
        try (InputStream in = SdpFixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replace("\r\n", "\n").replace("\n", "\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionDescription parse(String name) {
        try {
            return SdpParser.parse(load(name));
        } catch (SdpParseException e) {
            throw new AssertionError("fixture " + name + " does not parse", e);
        }
    }
}
