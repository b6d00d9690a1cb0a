package org.archipelago.media.sdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdpAnswerBuilderTest {
    private static final List<String> FIXTURES = SdpFixtures.ALL;
    private static final String SERVER_UFRAG = "srv1";
    private static final String SERVER_PWD = "serverpassword0123456789";
    private static final Fingerprint SERVER_FINGERPRINT = new Fingerprint("sha-256",
            "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0");
    private static final List<HostCandidate> CANDIDATES = List.of(
            new HostCandidate("192.0.2.10", 40000), new HostCandidate("2001:db8::10", 40000));

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void answerHasTheServersTransportAndParsesBack(String fixture) throws SdpParseException {
        SessionDescription offer = SdpFixtures.parse(fixture);

        SdpAnswer answer = builder(offer).build();
        SessionDescription parsed = SdpParser.parse(answer.toSdp());

        assertEquals(answer.description(), parsed);
        assertTrue(parsed.iceLite(), "a=ice-lite at session level (RFC 8839 §5.3)");
        assertEquals(offer.media().stream().map(MediaDescription::mid).toList(),
                parsed.media().stream().map(MediaDescription::mid).toList(), "same mids in the same order");
        assertEquals(offer.media().stream().map(MediaDescription::media).toList(),
                parsed.media().stream().map(MediaDescription::media).toList());
        List<String> acceptedMids = answer.negotiatedMedia().stream().map(NegotiatedMedia::mid).toList();
        assertFalse(acceptedMids.isEmpty());
        assertEquals(new Group("BUNDLE", acceptedMids), parsed.bundleGroup());
        for (MediaDescription section : parsed.media()) {
            if (section.port() == 0) {
                assertFalse(acceptedMids.contains(section.mid()));
                continue;
            }
            assertEquals(SERVER_UFRAG, parsed.iceUfrag(section));
            assertEquals(SERVER_PWD, parsed.icePwd(section));
            assertEquals(List.of(SERVER_FINGERPRINT), parsed.fingerprints(section));
            assertEquals(Setup.PASSIVE, parsed.setup(section));
            assertTrue(section.rtcpMux());
            assertEquals(40000, section.port());
            assertEquals(new Connection("IN", "IP4", "192.0.2.10"), section.connection());
        }
        MediaDescription tagged = parsed.media(acceptedMids.get(0));
        assertEquals(List.of("1 1 udp 2130706431 192.0.2.10 40000 typ host",
                "2 1 udp 2130706175 2001:db8::10 40000 typ host"), tagged.candidates());
        assertTrue(tagged.endOfCandidates());
        assertEquals(Setup.PASSIVE, answer.localSetup());
        assertEquals(offer.iceUfrag(offer.media(acceptedMids.get(0))), answer.remoteIceUfrag());
        assertEquals(offer.fingerprints(offer.media(acceptedMids.get(0))), answer.remoteFingerprints());
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void answerKeepsOfferedPayloadTypesAndPairsEveryRtxWithAnAnsweredCodec(String fixture) {
        SessionDescription offer = SdpFixtures.parse(fixture);

        SdpAnswer answer = builder(offer).build();

        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            MediaDescription offered = offer.media(media.mid());
            MediaDescription answered = answer.description().media(media.mid());
            assertEquals(media.codecs(), answered.codecs());
            Set<Integer> answeredPayloadTypes = new HashSet<>();
            for (Codec codec : media.codecs()) {
                Codec offeredCodec = offered.codec(codec.payloadType());
                assertNotNull(offeredCodec, "payload type " + codec.payloadType() + " was offered");
                assertEquals(offeredCodec.name(), codec.name());
                assertEquals(offeredCodec.clockRate(), codec.clockRate());
                answeredPayloadTypes.add(codec.payloadType());
            }
            for (Codec codec : media.codecs()) {
                if (codec.isRtx()) {
                    int apt = codec.apt().getAsInt();
                    assertTrue(answeredPayloadTypes.contains(apt), "apt " + apt + " is answered");
                    assertEquals(offered.codec(codec.payloadType()).apt().getAsInt(), apt);
                    assertEquals(apt, media.associatedPayloadType(codec.payloadType()));
                    assertEquals(codec.payloadType(), media.rtxPayloadType(apt));
                }
            }
            for (HeaderExtension extension : media.headerExtensions()) {
                assertEquals(offered.headerExtension(extension.uri()).id(), extension.id(), "offer's extension id kept");
            }
        }
    }

    @Test
    void chromeOfferAnswerChoosesServerCodecsInPreferenceOrderWithTheirRtx() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME)).build();

        NegotiatedMedia audio = answer.negotiated("0");
        assertEquals(List.of(63, 111), payloadTypes(audio.codecs()), "RED of Opus, then Opus; no G.711, CN, DTMF");
        assertEquals("useinbandfec=1", audio.codec(111).fmtp(), "Opus keeps useinbandfec/usedtx only");
        assertEquals(List.of(RtcpFeedback.TRANSPORT_CC), audio.codec(111).feedback());

        NegotiatedMedia video = answer.negotiated("1");
        // VP8, VP9 profile 0, H264 packetization-mode 1 in baseline/main (42001f, 42e01f, 4d001f), AV1;
        // not VP9 profile 2, H264 mode 0, High (64001f) or High 4:4:4 (f4001f), red, ulpfec.
        assertEquals(List.of(96, 97, 98, 99, 103, 104, 109, 114, 117, 118, 45, 46), payloadTypes(video.codecs()));
        assertEquals(List.of(96, 98, 103, 109, 117, 45), payloadTypes(video.primaryCodecs()));
        assertEquals("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                video.codec(109).fmtp());
        assertEquals("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
                video.codec(117).fmtp());
        assertEquals("profile-id=0", video.codec(98).fmtp());
        assertEquals("level-idx=5;profile=0;tier=0", video.codec(45).fmtp());
        assertEquals("apt=96", video.codec(97).fmtp());
        assertEquals(List.of(RtcpFeedback.GOOG_REMB, RtcpFeedback.TRANSPORT_CC, RtcpFeedback.CCM_FIR,
                RtcpFeedback.NACK, RtcpFeedback.NACK_PLI), video.codec(96).feedback());
        assertTrue(video.codec(97).feedback().isEmpty());
        assertEquals(97, video.rtxPayloadType(96));
        assertEquals(NegotiatedMedia.NO_PAYLOAD_TYPE, video.rtxPayloadType(100));
    }

    /**
     * Opus in-band FEC (RFC 7587 §6.1 useinbandfec) and RED (RFC 2198) as Chrome offers them: the
     * answer keeps both, RED first so that libwebrtc sends it, with the offer's block list.
     */
    @Test
    void chromeAudioKeepsOpusInBandFecAndRedOfOpus() throws SdpParseException {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME)).build();
        String text = answer.toSdp();

        assertTrue(text.contains("m=audio 40000 UDP/TLS/RTP/SAVPF 63 111\r\n"), text);
        assertTrue(text.contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"), text);
        assertTrue(text.contains("a=rtpmap:111 opus/48000/2\r\n"), text);
        assertTrue(text.contains("a=fmtp:111 useinbandfec=1\r\n"), text);
        Codec red = SdpParser.parse(text).media("0").codec(63);
        assertEquals(List.of(111, 111), red.redBlockPayloadTypes());
        assertEquals(List.of(63, 111), payloadTypes(answer.negotiated("0").primaryCodecs()),
                "RED is a media format of the section (not a retransmission)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "minptime=10;useinbandfec=1 |          useinbandfec=1",
            "useinbandfec=1;usedtx=1;stereo=1 |    useinbandfec=1;usedtx=1",
            "useinbandfec=0 |                      useinbandfec=0",
            "minptime=10 |                         ''",
    })
    void opusKeepsTheOfferedFecAndDtxParameters(String offeredFmtp, String answeredFmtp) throws SdpParseException {
        SdpAnswer answer = builder(SdpParser.parse(audioOffer(
                "a=rtpmap:111 opus/48000/2", "a=fmtp:111 " + offeredFmtp))).build();

        assertEquals(answeredFmtp, answer.negotiated("a").codec(111).fmtp());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "111/111;     63 111",
            "111;         63 111",
            "111/111/111; 63 111",
            "111/0;       111",       // PCMU is not a format the server takes: a RED block of it could not be decoded
            "0/111;       111",
            "112/111;     111",       // a payload type that is not offered
            "111/;        111",
            "abc;         111",
            "128/111;     111",
            "111 111;     111",
    })
    void redIsAcceptedOnlyWhenEveryBlockIsAnAcceptedFormat(String redFmtp, String answeredPayloadTypes)
            throws SdpParseException {
        SdpAnswer answer = builder(SdpParser.parse(audioOffer(
                "a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1",
                "a=rtpmap:63 red/48000/2", "a=fmtp:63 " + redFmtp,
                "a=rtpmap:0 PCMU/8000"))).build();

        assertEquals(answeredPayloadTypes, String.join(" ",
                answer.negotiated("a").codecs().stream().map(c -> Integer.toString(c.payloadType())).toList()));
    }

    @Test
    void redWithoutFmtpOrWithoutOpusIsNotAccepted() throws SdpParseException {
        SdpAnswer noFmtp = builder(SdpParser.parse(audioOffer(
                "a=rtpmap:111 opus/48000/2", "a=rtpmap:63 red/48000/2"))).build();
        assertEquals(List.of(111), payloadTypes(noFmtp.negotiated("a").codecs()));

        SdpAnswer redAlone = builder(SdpParser.parse(audioOffer(
                "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111"))).build();
        assertEquals(List.of("a"), redAlone.rejectedMids(), "RED of a codec not offered: nothing in common");
    }

    @Test
    void redCanBeLeftOutOfTheServersCodecs() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME))
                .codecs(List.of(SupportedCodec.opus(), SupportedCodec.vp8())).build();

        assertEquals(List.of(111), payloadTypes(answer.negotiated("0").codecs()));
    }

    @Test
    void chromeOfferAnswerKeepsOnlyServerHeaderExtensionsWithOfferIds() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME)).build();

        NegotiatedMedia video = answer.negotiated("1");
        assertEquals(List.of(2, 13, 3, 5, 4, 10, 11), video.headerExtensions().stream().map(HeaderExtension::id).toList());
        assertEquals(10, video.headerExtensionId(HeaderExtension.SDES_RTP_STREAM_ID));
        assertEquals(3, video.headerExtensionId(HeaderExtension.TRANSPORT_WIDE_CC));
        assertEquals(NegotiatedMedia.NO_EXTENSION, video.headerExtensionId("urn:ietf:params:rtp-hdrext:toffset"));
        assertEquals(1, answer.negotiated("0").headerExtensionId(HeaderExtension.SSRC_AUDIO_LEVEL));
    }

    @Test
    void customHeaderExtensionListReplacesTheDefaults() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME))
                .headerExtensions(List.of(HeaderExtension.SDES_MID, "urn:ietf:params:rtp-hdrext:toffset"))
                .build();

        assertEquals(List.of(14, 4), answer.negotiated("1").headerExtensions().stream().map(HeaderExtension::id).toList());
    }

    @Test
    void extensionIdsAboveFourteenNeedTwoByteHeaderSupport() throws SdpParseException {
        String chrome = SdpFixtures.load(SdpFixtures.CHROME)
                .replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                        "a=extmap:16 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
        SessionDescription offer = SdpParser.parse(chrome);

        SdpAnswer oneByte = builder(offer).build();
        SdpAnswer twoByte = builder(offer).twoByteHeaderExtensions(true).build();

        assertEquals(NegotiatedMedia.NO_EXTENSION, oneByte.negotiated("1").headerExtensionId(HeaderExtension.SDES_RTP_STREAM_ID));
        assertFalse(oneByte.toSdp().contains("extmap-allow-mixed"));
        assertEquals(16, twoByte.negotiated("1").headerExtensionId(HeaderExtension.SDES_RTP_STREAM_ID));
        assertEquals(List.of(new Attribute("extmap-allow-mixed", null)), twoByte.description().otherAttributes());
    }

    @Test
    void chromeSimulcastOfferIsAnsweredWithRecvRidsAndSimulcast() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME)).build();

        MediaDescription video = answer.description().media("1");
        assertEquals(List.of("q", "h", "f"), video.rids().stream().map(RidDescription::id).toList());
        assertTrue(video.rids().stream().allMatch(rid -> rid.direction() == StreamDirection.RECV));
        assertTrue(video.simulcast().send().isEmpty());
        assertEquals(List.of("q", "h", "f"), video.simulcast().ridIds(StreamDirection.RECV));
        assertTrue(answer.toSdp().contains("\r\na=rid:q recv\r\n"));
        assertTrue(answer.toSdp().contains("\r\na=simulcast:recv q;h;f\r\n"));
        assertEquals(List.of("q", "h", "f"), answer.negotiated("1").remoteRids().stream().map(RidDescription::id).toList());
    }

    @Test
    void simulcastAlternativesPausedRidsAndPayloadRestrictionsAreKept() throws SdpParseException {
        String offer = videoOffer("a=sendonly",
                "a=rid:lo send pt=96", "a=rid:lo2 send pt=100", "a=rid:mid send max-width=640", "a=rid:hi send",
                "a=simulcast:send lo,lo2;mid;~hi");

        SdpAnswer answer = builder(SdpParser.parse(offer)).build();

        MediaDescription video = answer.description().media("v");
        // lo2 is restricted to a payload type the server does not answer (VP9 profile 2), so it goes.
        assertEquals("recv lo;mid;~hi", video.simulcast().toSdpValue());
        assertEquals(List.of("lo recv pt=96", "mid recv max-width=640", "hi recv"),
                video.rids().stream().map(RidDescription::toSdpValue).toList());
    }

    @Test
    void ridNamedTwiceInTheSimulcastListIsAnsweredOnce() throws SdpParseException {
        String offer = videoOffer("a=sendonly", "a=rid:lo send pt=96,100", "a=rid:hi send", "a=simulcast:send lo;hi,lo");

        SdpAnswer answer = builder(SdpParser.parse(offer)).build();

        assertEquals(List.of("lo recv pt=96", "hi recv"),
                answer.description().media("v").rids().stream().map(RidDescription::toSdpValue).toList());
        assertEquals(answer.description(), SdpParser.parse(answer.toSdp()));
    }

    @Test
    void libwebrtcOfferExposesRemoteSsrcsAndRtxPairs() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.LIBWEBRTC)).build();

        NegotiatedMedia video = answer.negotiated("1");
        assertEquals(List.of(2627994869L, 239801868L), video.remoteSsrcs().stream().map(SsrcDescription::ssrc).toList());
        assertEquals(239801868L, video.remoteRtxSsrc(2627994869L));
        assertEquals(NegotiatedMedia.NO_SSRC, video.remoteRtxSsrc(239801868L));
        assertEquals(new Msid("stream0", "video0"), video.remoteMsids().get(0));
        assertTrue(video.remoteRids().isEmpty());
        assertNull(answer.description().media("1").simulcast());
        assertEquals(List.of(378436859L), answer.negotiated("0").remoteSsrcs().stream().map(SsrcDescription::ssrc).toList());
    }

    @Test
    void firefoxOfferExtensionDirectionIsReversed() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.FIREFOX)).build();

        NegotiatedMedia video = answer.negotiated("1");
        assertEquals(new HeaderExtension(6, HeaderExtension.PLAYOUT_DELAY, Direction.SENDONLY, ""),
                video.headerExtensions().stream().filter(e -> e.id() == 6).findFirst().orElseThrow());
        // Firefox's H264 at 97 has no packetization-mode, i.e. mode 0 (RFC 6184 §8.1): not accepted.
        assertEquals(List.of(120, 124, 121, 125, 126, 127), payloadTypes(video.codecs()));
        assertEquals("useinbandfec=1", answer.negotiated("0").codec(109).fmtp());
    }

    @Test
    void dataChannelAndUnsupportedSectionsAreRejectedInPlace() throws SdpParseException {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.CHROME)).build();
        MediaDescription data = SdpParser.parse(answer.toSdp()).media("2");

        assertEquals(0, data.port());
        assertEquals("UDP/DTLS/SCTP", data.protocol());
        assertEquals(List.of("webrtc-datachannel"), data.formats());
        assertNull(data.iceUfrag());
        assertTrue(data.candidates().isEmpty());
        assertEquals(List.of("2"), answer.rejectedMids());
        assertNull(answer.negotiated("2"));
    }

    @ParameterizedTest
    @CsvSource({
            "no common codec,    m=video 9 UDP/TLS/RTP/SAVPF 100|a=mid:x|a=rtcp-mux|a=rtpmap:100 H265/90000",
            "no rtcp-mux,        m=video 9 UDP/TLS/RTP/SAVPF 96|a=mid:x|a=rtpmap:96 VP8/90000",
            "not bundled,        m=video 9 UDP/TLS/RTP/SAVPF 96|a=mid:y|a=rtcp-mux|a=rtpmap:96 VP8/90000",
            "stopped,            m=video 0 UDP/TLS/RTP/SAVPF 96|a=mid:x|a=rtcp-mux|a=rtpmap:96 VP8/90000",
            "not SRTP,           m=video 9 RTP/AVP 96|a=mid:x|a=rtcp-mux|a=rtpmap:96 VP8/90000",
            "no mid,             m=video 9 UDP/TLS/RTP/SAVPF 96|a=rtcp-mux|a=rtpmap:96 VP8/90000",
            "other media,        m=text 9 UDP/TLS/RTP/SAVPF 96|a=mid:x|a=rtcp-mux|a=rtpmap:96 t140/1000",
    })
    void sectionTheServerCannotTakeIsRejectedWithPortZero(String reason, String section) throws SdpParseException {
        String bundle = section.contains("a=mid:x") ? "a=group:BUNDLE a x" : "a=group:BUNDLE a";
        String offer = SdpParserTest.MINIMAL.replace("a=group:BUNDLE a", bundle)
                + String.join("\r\n", section.split("\\|")) + "\r\n";

        SdpAnswer answer = builder(SdpParser.parse(offer)).build();
        SessionDescription parsed = SdpParser.parse(answer.toSdp());

        assertEquals(2, parsed.media().size(), reason);
        assertEquals(0, parsed.media().get(1).port(), reason);
        assertEquals(List.of("a"), answer.negotiatedMedia().stream().map(NegotiatedMedia::mid).toList(), reason);
        assertEquals(List.of("a"), parsed.bundleGroup().mids(), reason);
        assertEquals(Direction.INACTIVE, parsed.media().get(1).direction(), reason);
    }

    @ParameterizedTest
    @CsvSource({
            "sendrecv, ,         SENDRECV",
            "sendonly, ,         RECVONLY",
            "recvonly, ,         SENDONLY",
            "inactive, ,         INACTIVE",
            "sendrecv, RECVONLY, RECVONLY",
            "sendrecv, SENDONLY, SENDONLY",
            "sendrecv, INACTIVE, INACTIVE",
            "sendonly, SENDRECV, RECVONLY",
            "recvonly, RECVONLY, INACTIVE",
    })
    void directionMirrorsTheOfferUnlessTheCallerNarrowsIt(String offered, Direction requested, Direction expected)
            throws SdpParseException {
        SessionDescription offer = SdpParser.parse(videoOffer("a=" + offered));
        SdpAnswerBuilder builder = builder(offer);
        if (requested != null) {
            builder.direction("v", requested);
        }

        SdpAnswer answer = builder.build();

        assertEquals(expected, answer.negotiated("v").direction());
        assertEquals(expected, SdpParser.parse(answer.toSdp()).media("v").direction());
    }

    @Test
    void sendStreamIsAnnouncedWithSsrcFidGroupAndMsid() throws SdpParseException {
        SdpAnswer answer = builder(SdpParser.parse(videoOffer("a=sendrecv")))
                .sendStream("v", SendStream.withRtx(1111, 2222, "archcname", "room-1", "publisher-7-video"))
                .build();

        MediaDescription video = SdpParser.parse(answer.toSdp()).media("v");
        assertEquals(List.of(new Msid("room-1", "publisher-7-video")), video.msids());
        assertEquals(List.of(new SsrcGroup("FID", List.of(1111L, 2222L))), video.ssrcGroups());
        assertEquals(List.of(1111L, 2222L), video.ssrcs().stream().map(SsrcDescription::ssrc).toList());
        assertEquals("archcname", video.ssrcs().get(1).cname());
        assertEquals(new Msid("room-1", "publisher-7-video"), video.ssrcs().get(0).msid());
        assertEquals(1111L, answer.negotiated("v").sendStream().ssrc());
    }

    @Test
    void sendStreamWithoutRtxHasNoFidGroup() throws SdpParseException {
        SdpAnswer answer = builder(SdpParser.parse(videoOffer("a=recvonly")))
                .sendStream("v", SendStream.withoutRtx(1111, "archcname", "room-1", "track"))
                .build();

        MediaDescription video = SdpParser.parse(answer.toSdp()).media("v");
        assertTrue(video.ssrcGroups().isEmpty());
        assertEquals(List.of(1111L), video.ssrcs().stream().map(SsrcDescription::ssrc).toList());
    }

    @Test
    void sendStreamIsLeftOutWhereTheServerDoesNotSend() throws SdpParseException {
        SdpAnswer answer = builder(SdpParser.parse(videoOffer("a=sendonly")))
                .sendStream("v", SendStream.withRtx(1111, 2222, "archcname", "room-1", "track"))
                .build();

        MediaDescription video = answer.description().media("v");
        assertEquals(Direction.RECVONLY, video.direction());
        assertTrue(video.ssrcs().isEmpty());
        assertTrue(video.msids().isEmpty());
        assertNull(answer.negotiated("v").sendStream());
    }

    @Test
    void passiveOfferMakesTheServerTheDtlsClient() throws SdpParseException {
        SessionDescription offer = SdpParser.parse(videoOffer("a=sendrecv", "a=setup:passive"));

        SdpAnswer answer = builder(offer).build();

        assertEquals(Setup.ACTIVE, answer.localSetup());
        assertEquals(Setup.ACTIVE, answer.description().media("v").setup());
    }

    @Test
    void withoutCandidatesTheSectionUsesTheDiscardPort() {
        SdpAnswer answer = new SdpAnswerBuilder(SdpFixtures.parse(SdpFixtures.LIBWEBRTC))
                .iceCredentials(SERVER_UFRAG, SERVER_PWD).fingerprint(SERVER_FINGERPRINT).sessionId(7).build();

        MediaDescription audio = answer.description().media("0");
        assertEquals(9, audio.port());
        assertEquals(Connection.UNSPECIFIED_IP4, audio.connection());
        assertTrue(audio.candidates().isEmpty());
        assertTrue(audio.endOfCandidates());
        assertTrue(answer.toSdp().startsWith("v=0\r\no=archipelago 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"));
    }

    @Test
    void rtxCanBeTurnedOff() {
        SdpAnswer answer = builder(SdpFixtures.parse(SdpFixtures.LIBWEBRTC)).rtx(false).build();

        assertTrue(answer.negotiated("1").codecs().stream().noneMatch(Codec::isRtx));
        assertTrue(answer.negotiated("1").rtxToPrimary().isEmpty());
    }

    @Test
    void missingCredentialsAndInvalidIceValuesAreRefused() {
        SdpAnswerBuilder builder = new SdpAnswerBuilder(SdpFixtures.parse(SdpFixtures.CHROME));

        assertThrows(IllegalStateException.class, builder::build);
        assertThrows(IllegalArgumentException.class, () -> builder.iceCredentials("ab", SERVER_PWD));
        assertThrows(IllegalArgumentException.class, () -> builder.iceCredentials(SERVER_UFRAG, "short"));
        assertThrows(IllegalArgumentException.class, () -> builder.iceCredentials("ab:c", SERVER_PWD));
        assertThrows(IllegalArgumentException.class, () -> new HostCandidate("192.0.2.1", 0));
        assertThrows(IllegalArgumentException.class, () -> SendStream.withRtx(5, 5, "c", "s", "t"));
    }

    private static SdpAnswerBuilder builder(SessionDescription offer) {
        return new SdpAnswerBuilder(offer)
                .iceCredentials(SERVER_UFRAG, SERVER_PWD)
                .fingerprint(SERVER_FINGERPRINT)
                .hostCandidates(CANDIDATES)
                .sessionId(42);
    }

    /** One bundled video section offering VP8 + RTX and VP9 profile 2, with extra lines. */
    private static String videoOffer(String... extraLines) {
        return String.join("\r\n", List.of(
                "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE v",
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97 100", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=fingerprint:sha-256 AA:BB", "a=mid:v", "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
                "a=rtpmap:100 VP9/90000", "a=fmtp:100 profile-id=2"))
                + "\r\n" + String.join("\r\n", extraLines) + "\r\n";
    }

    /** One bundled audio section with the given rtpmap/fmtp lines (payload types taken from the rtpmaps). */
    private static String audioOffer(String... codecLines) {
        StringBuilder formats = new StringBuilder();
        for (String line : codecLines) {
            if (line.startsWith("a=rtpmap:")) {
                formats.append(' ').append(line, "a=rtpmap:".length(), line.indexOf(' '));
            }
        }
        return String.join("\r\n", List.of(
                "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE a",
                "m=audio 9 UDP/TLS/RTP/SAVPF" + formats, "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=fingerprint:sha-256 AA:BB", "a=mid:a", "a=rtcp-mux"))
                + "\r\n" + String.join("\r\n", codecLines) + "\r\n";
    }

    private static List<Integer> payloadTypes(List<Codec> codecs) {
        return codecs.stream().map(Codec::payloadType).toList();
    }
}
