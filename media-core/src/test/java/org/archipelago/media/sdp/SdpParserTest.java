package org.archipelago.media.sdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdpParserTest {
    private static final List<String> FIXTURES = SdpFixtures.ALL;

    /** The smallest description the tests extend: session lines and one audio section. */
    static final String MINIMAL = String.join("\r\n",
            "v=0",
            "o=- 1 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE a",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 112",
            "c=IN IP4 0.0.0.0",
            "a=mid:a",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:112 rtx/48000",
            "a=fmtp:112 apt=111",
            "");

    @Test
    void chromeOfferSessionLevel() {
        SessionDescription offer = SdpFixtures.parse(SdpFixtures.CHROME);

        assertEquals(new Origin("-", "4611731400430051336", "2", "IN", "IP4", "127.0.0.1"), offer.origin());
        assertEquals("-", offer.sessionName());
        assertEquals(0, offer.startTime());
        assertEquals(new Group("BUNDLE", List.of("0", "1", "2")), offer.bundleGroup());
        assertFalse(offer.iceLite());
        assertEquals(List.of("extmap-allow-mixed", "msid-semantic"),
                offer.otherAttributes().stream().map(Attribute::name).toList());
        assertEquals(3, offer.media().size());
        assertEquals(List.of(MediaKind.AUDIO, MediaKind.VIDEO, MediaKind.APPLICATION),
                offer.media().stream().map(MediaDescription::kind).toList());
    }

    @Test
    void chromeOfferAudioSection() {
        MediaDescription audio = SdpFixtures.parse(SdpFixtures.CHROME).media("0");

        assertEquals(54400, audio.port());
        assertEquals("UDP/TLS/RTP/SAVPF", audio.protocol());
        assertEquals(List.of("111", "63", "9", "0", "8", "13", "110", "126"), audio.formats());
        assertEquals(new Connection("IN", "IP4", "203.0.113.77"), audio.connection());
        assertEquals(Direction.SENDRECV, audio.direction());
        assertTrue(audio.rtcpMux());
        assertTrue(audio.rtcpReducedSize());
        assertEquals("Fd2e", audio.iceUfrag());
        assertEquals("HmeGtk8ZFL7NxOFIYzHJ0Vbp", audio.icePwd());
        assertEquals(List.of("trickle"), audio.iceOptions());
        assertEquals(Setup.ACTPASS, audio.setup());
        assertEquals("sha-256", audio.fingerprints().get(0).algorithm());
        assertTrue(audio.fingerprints().get(0).value().startsWith("5B:D2:8E"));
        assertEquals(2, audio.candidates().size());
        assertTrue(audio.candidates().get(0).startsWith("1467250027 1 udp 2122260223 "));

        Codec opus = audio.codec(111);
        assertEquals("opus", opus.name());
        assertEquals(48000, opus.clockRate());
        assertEquals(2, opus.channels());
        assertEquals("minptime=10;useinbandfec=1", opus.fmtp());
        assertEquals(Map.of("minptime", "10", "useinbandfec", "1"), opus.parameters());
        assertEquals(List.of(RtcpFeedback.TRANSPORT_CC), opus.feedback());
        assertEquals(1, audio.codec(0).channels());
        assertEquals(8, audio.codecs().size());
        assertEquals("111/111", audio.codec(63).fmtp());

        assertEquals(new HeaderExtension(1, HeaderExtension.SSRC_AUDIO_LEVEL, null, ""), audio.headerExtensions().get(0));
        assertEquals(4, audio.headerExtension(HeaderExtension.SDES_MID).id());

        assertEquals(List.of(new Msid("5f1c3b0e-8f1e-4c59-9d3c-0f4e2a7b9c11", "0b8d7a52-3c4e-4f6a-8b9c-1d2e3f4a5b6c")),
                audio.msids());
        SsrcDescription ssrc = audio.ssrcs().get(0);
        assertEquals(3735928559L, ssrc.ssrc());
        assertEquals("Vx3lPq8Zr1sT2uWk", ssrc.cname());
        assertEquals(audio.msids().get(0), ssrc.msid());
        assertEquals(List.of("rtcp"), audio.otherAttributes().stream().map(Attribute::name).toList());
    }

    @Test
    void chromeOfferVideoSectionWithSimulcast() {
        MediaDescription video = SdpFixtures.parse(SdpFixtures.CHROME).media("1");

        assertEquals(29, video.codecs().size());
        Codec rtx = video.codec(97);
        assertTrue(rtx.isRtx());
        assertEquals(96, rtx.apt().getAsInt());
        assertFalse(video.codec(96).apt().isPresent());
        assertEquals("42e01f", video.codec(109).parameter("profile-level-id"));
        assertEquals(List.of(RtcpFeedback.GOOG_REMB, RtcpFeedback.TRANSPORT_CC, RtcpFeedback.CCM_FIR,
                RtcpFeedback.NACK, RtcpFeedback.NACK_PLI), video.codec(96).feedback());

        assertEquals(13, video.headerExtensions().size());
        assertEquals(10, video.headerExtension(HeaderExtension.SDES_RTP_STREAM_ID).id());

        assertEquals(List.of("q", "h", "f"), video.rids().stream().map(RidDescription::id).toList());
        assertTrue(video.rids().stream().allMatch(rid -> rid.direction() == StreamDirection.SEND));
        assertEquals(List.of("q", "h", "f"), video.simulcast().ridIds(StreamDirection.SEND));
        assertTrue(video.simulcast().receive().isEmpty());
        assertTrue(video.ssrcs().isEmpty());
    }

    @Test
    void chromeOfferDataChannelSection() {
        MediaDescription data = SdpFixtures.parse(SdpFixtures.CHROME).media("2");

        assertEquals(MediaKind.APPLICATION, data.kind());
        assertEquals("UDP/DTLS/SCTP", data.protocol());
        assertEquals(List.of("webrtc-datachannel"), data.formats());
        assertFalse(data.isRtp());
        assertEquals(5000, data.sctpPort());
        assertEquals(262144, data.maxMessageSize());
        assertTrue(data.codecs().isEmpty());
    }

    @Test
    void libwebrtcOfferHasSsrcsAndFidGroup() {
        SessionDescription offer = SdpFixtures.parse(SdpFixtures.LIBWEBRTC);
        MediaDescription video = offer.media("1");

        assertEquals(List.of(new SsrcGroup("FID", List.of(2627994869L, 239801868L))), video.ssrcGroups());
        assertEquals(List.of(2627994869L, 239801868L), video.ssrcs().stream().map(SsrcDescription::ssrc).toList());
        assertEquals(new Msid("stream0", "video0"), video.ssrcs().get(1).msid());
        assertNull(video.simulcast());
        assertTrue(video.rids().isEmpty());
        assertEquals(1, offer.media("0").ssrcs().size());
    }

    @Test
    void firefoxOfferInheritsSessionLevelAttributes() {
        SessionDescription offer = SdpFixtures.parse(SdpFixtures.FIREFOX);
        MediaDescription audio = offer.media("0");
        MediaDescription video = offer.media("1");

        assertEquals(Direction.SENDRECV, offer.direction());
        assertEquals(List.of("trickle"), offer.iceOptions());
        assertTrue(audio.fingerprints().isEmpty());
        assertEquals(offer.fingerprints(), offer.fingerprints(audio));
        assertEquals("4b1c2d3e", offer.iceUfrag(audio));
        // fmtp lines come before their rtpmap in Firefox's offers.
        assertEquals("1", audio.codec(109).parameter("useinbandfec"));
        assertEquals(126, video.codec(127).apt().getAsInt());
        assertEquals(new HeaderExtension(6, HeaderExtension.PLAYOUT_DELAY, Direction.RECVONLY, ""),
                video.headerExtension(HeaderExtension.PLAYOUT_DELAY));
        assertEquals("{1f3a5c7e-9b2d-4f6a-8c0e-2a4b6c8d0e1f}", video.msids().get(0).streamId());
    }

    @Test
    void wildcardFeedbackAppliesToEveryCodec() throws SdpParseException {
        MediaDescription audio = SdpParser.parse(MINIMAL + "a=rtcp-fb:* nack\r\na=rtcp-fb:111 transport-cc\r\n").media("a");

        assertEquals(List.of(RtcpFeedback.NACK), audio.wildcardFeedback());
        assertEquals(List.of(RtcpFeedback.TRANSPORT_CC), audio.codec(111).feedback());
        assertEquals(List.of(RtcpFeedback.TRANSPORT_CC, RtcpFeedback.NACK), audio.feedbackFor(audio.codec(111)));
        assertEquals(List.of(RtcpFeedback.NACK), audio.feedbackFor(audio.codec(112)));
    }

    @Test
    void simulcastWithAlternativesPausedStreamsAndBothDirections() throws SdpParseException {
        MediaDescription audio = SdpParser.parse(MINIMAL
                + "a=rid:1 send pt=111;max-br=64000\r\na=rid:2 send\r\na=rid:3 send\r\na=rid:4 recv\r\n"
                + "a=simulcast:send 1,~2;3 recv 4\r\n").media("a");

        Simulcast simulcast = audio.simulcast();
        assertEquals(2, simulcast.send().size());
        assertEquals(List.of(new Simulcast.Rid("1", false), new Simulcast.Rid("2", true)),
                simulcast.send().get(0).alternatives());
        assertEquals("3", simulcast.send().get(1).firstRid());
        assertEquals(List.of("4"), simulcast.ridIds(StreamDirection.RECV));
        RidDescription first = audio.rids().get(0);
        assertEquals(List.of(111), first.payloadTypes());
        assertEquals(Map.of("max-br", "64000"), first.restrictions());
        assertEquals(StreamDirection.RECV, audio.rids().get(3).direction());
    }

    @Test
    void extmapWithDirectionAndAttributes() throws SdpParseException {
        MediaDescription audio = SdpParser.parse(MINIMAL
                + "a=extmap:7/sendonly urn:example:ext some attributes\r\na=extmap:200 urn:example:two-byte\r\n").media("a");

        assertEquals(new HeaderExtension(7, "urn:example:ext", Direction.SENDONLY, "some attributes"),
                audio.headerExtensions().get(0));
        assertEquals(200, audio.headerExtensions().get(1).id());
    }

    @Test
    void portZeroMarksRejectedSectionUnlessBundleOnly() throws SdpParseException {
        SessionDescription description = SdpParser.parse(MINIMAL
                + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n"
                + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:w\r\na=bundle-only\r\na=rtpmap:96 VP8/90000\r\n");

        assertTrue(description.media("v").isRejected());
        assertFalse(description.media("w").isRejected());
        assertFalse(description.media("a").isRejected());
    }

    @Test
    void directionAttributesAndInheritance() throws SdpParseException {
        String base = MINIMAL.replace("t=0 0\r\n", "t=0 0\r\na=recvonly\r\n");
        SessionDescription description = SdpParser.parse(base
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=inactive\r\na=rtpmap:96 VP8/90000\r\n");

        assertEquals(Direction.RECVONLY, description.media("a").direction());
        assertEquals(Direction.INACTIVE, description.media("v").direction());
    }

    @Test
    void unknownAttributesAreKeptAndOtherLineTypesSkipped() throws SdpParseException {
        MediaDescription audio = SdpParser.parse(MINIMAL
                + "b=AS:64\r\ni=audio\r\na=x-google-flag:conference\r\na=bundle-only\r\n").media("a");

        assertEquals(List.of(new Attribute("x-google-flag", "conference"), new Attribute("bundle-only", null)),
                audio.otherAttributes());
    }

    @Test
    void acceptsLfLineEndingsAndBlankTrailingLines() throws SdpParseException {
        SessionDescription withLf = SdpParser.parse(MINIMAL.replace("\r\n", "\n") + "\n\n");

        assertEquals(SdpParser.parse(MINIMAL), withLf);
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void writtenDescriptionParsesBackToTheSameModel(String fixture) throws SdpParseException {
        SessionDescription parsed = SdpFixtures.parse(fixture);

        String written = parsed.toSdp();

        assertEquals(parsed, SdpParser.parse(written));
        assertTrue(written.endsWith("\r\n"));
        assertEquals(written.split("\n", -1).length - 1, written.split("\r\n", -1).length - 1,
                "every line ends with CRLF");
    }

    @Test
    void applicationSectionDirectionSurvivesTheRoundTrip() throws SdpParseException {
        String sdp = MINIMAL.replace("t=0 0\r\n", "t=0 0\r\na=recvonly\r\n")
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\na=sendrecv\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:e\r\n";
        SessionDescription parsed = SdpParser.parse(sdp);

        SessionDescription reparsed = SdpParser.parse(parsed.toSdp());

        assertEquals(Direction.SENDRECV, reparsed.media("d").direction());
        assertEquals(Direction.RECVONLY, reparsed.media("e").direction());
        assertEquals(parsed, reparsed);
    }

    @Test
    void rejectsTextLongerThanTheLimit() {
        String padded = MINIMAL + "a=x-padding:" + "p".repeat(SdpParser.MAX_LENGTH) + "\r\n";

        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(padded));

        assertEquals(0, error.lineNumber());
        assertTrue(error.getMessage().contains("more than the limit of 65536"), error.getMessage());
    }

    @Test
    void rejectsMoreLinesThanTheLimit() {
        String manyLines = MINIMAL + "a=x\r\n".repeat(SdpParser.MAX_LINES);

        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(manyLines));

        assertTrue(error.getMessage().contains("lines, more than the limit of " + SdpParser.MAX_LINES),
                error.getMessage());
    }

    @Test
    void largerLimitsAcceptAPeerWithManyVideoSections() throws SdpParseException {
        String chrome = SdpFixtures.load(SdpFixtures.CHROME);
        int videoStart = chrome.indexOf("m=video");
        String videoSection = chrome.substring(videoStart, chrome.indexOf("m=application"));
        StringBuilder sdp = new StringBuilder(chrome.substring(0, videoStart).replace("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0"));
        for (int i = 0; i < 30; i++) {
            sdp.append(videoSection.replace("a=mid:1", "a=mid:v" + i));
        }

        assertThrows(SdpParseException.class, () -> SdpParser.parse(sdp.toString()));
        SessionDescription parsed = SdpParser.parse(sdp.toString(), new SdpParser.Limits(512 * 1024, 8192, 64));
        assertEquals(31, parsed.media().size());

        SdpParseException tooMany = assertThrows(SdpParseException.class,
                () -> SdpParser.parse(sdp.toString(), new SdpParser.Limits(512 * 1024, 8192, 16)));
        assertTrue(tooMany.getMessage().endsWith(": more than 16 m= sections"), tooMany.getMessage());
    }

    @Test
    void rejectsMoreMediaSectionsThanTheLimit() {
        StringBuilder sdp = new StringBuilder(MINIMAL);
        for (int i = 0; i < SdpParser.MAX_MEDIA_SECTIONS; i++) {
            sdp.append("m=audio 0 UDP/TLS/RTP/SAVPF 0\r\n");
        }

        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(sdp.toString()));

        int lineOfSection65 = MINIMAL.split("\r\n").length + SdpParser.MAX_MEDIA_SECTIONS;
        assertEquals("line " + lineOfSection65 + ": m=audio 0 UDP/TLS/RTP/SAVPF 0: more than 64 m= sections",
                error.getMessage());
    }
}
