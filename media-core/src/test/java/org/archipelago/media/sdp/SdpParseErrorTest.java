package org.archipelago.media.sdp;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One row per kind of malformed line: the parser must throw {@link SdpParseException} whose message is
 * {@code line <n>: <the line>: <reason>}.
 */
class SdpParseErrorTest {
    private static final List<String> MINIMAL_LINES = Arrays.asList(SdpParserTest.MINIMAL.split("\r\n"));
    private static final String VIDEO_SECTION = "m=video 9 UDP/TLS/RTP/SAVPF 96";

    static Stream<Arguments> malformedLines() {
        return Stream.of(
                // Line structure (RFC 8866 §5)
                replaced("version other than 0", 1, "v=1", "expected v=0 as the first line"),
                appended("no type=value", "a rtcp-mux", "expected <type>=<value>"),
                appended("unknown line type", "x=anything", "unknown line type 'x'"),
                appended("control character", "a=x-note:bell\u0007", "contains a control character"),
                appended("second v= line", "v=0", "duplicate v= line"),
                appended("session line inside a section", "o=- 1 2 IN IP4 127.0.0.1", "o= line inside an m= section"),
                appended("attribute without a name", "a=:value", "attribute name is empty"),
                appended("attribute name with a space", "a=bad name", "attribute name has an invalid character ' '"),
                // Session lines
                replaced("origin with five fields", 2, "o=- 1 2 IN IP4", "o= needs 6 fields"),
                replaced("origin session id not a number", 2, "o=- abc 2 IN IP4 127.0.0.1", "session id is not a number"),
                replaced("empty session name", 3, "s=", "session name is empty"),
                replaced("timing with one field", 4, "t=0", "t= needs a start and a stop time"),
                appended("connection with two fields", "c=IN IP4", "c= needs nettype addrtype address"),
                replaced("BUNDLE names a missing mid", 5, "a=group:BUNDLE a zz", "no m= section has mid zz"),
                // m= line (RFC 8866 §5.14)
                appended("port not a number", "m=video x UDP/TLS/RTP/SAVPF 96", "port is not a number"),
                appended("port out of range", "m=video 70000 UDP/TLS/RTP/SAVPF 96", "port 70000 is out of range 0-65535"),
                appended("m= line too short", "m=video 9", "m= needs media, port, protocol and formats"),
                appended("format not a payload type", "m=video 9 UDP/TLS/RTP/SAVPF vp8", "payload type is not a number"),
                appended("payload type above 127", "m=video 9 UDP/TLS/RTP/SAVPF 128", "payload type 128 is out of range 0-127"),
                appended("payload type listed twice", "m=video 9 UDP/TLS/RTP/SAVPF 96 96", "payload type 96 is listed twice"),
                appended("no formats on an active section", "m=video 9 UDP/TLS/RTP/SAVPF", "m= line has no formats"),
                // rtpmap, fmtp, rtcp-fb (RFC 8866 §6.6, §6.15, RFC 4585 §4.2)
                appended("rtpmap payload type not a number", "a=rtpmap:abc opus/48000/2", "payload type is not a number"),
                appended("rtpmap payload type not on the m= line", "a=rtpmap:100 opus/48000/2",
                        "payload type 100 is not listed on the m= line"),
                appended("rtpmap twice", "a=rtpmap:111 opus/48000/2", "duplicate rtpmap for payload type 111"),
                appendedInVideo("rtpmap without clock rate", "a=rtpmap:96 VP8", "encoding must be <name>/<clock rate>[/<channels>]"),
                appendedInVideo("rtpmap clock rate not a number", "a=rtpmap:96 VP8/fast", "clock rate is not a number"),
                appendedInVideo("rtpmap without encoding", "a=rtpmap:96", "rtpmap needs a payload type and an encoding"),
                appendedInVideo("fmtp without parameters", "a=fmtp:96", "fmtp needs a payload type and parameters"),
                appended("fmtp twice", "a=fmtp:112 apt=111", "duplicate fmtp for payload type 112"),
                appendedInVideo("rtcp-fb without type", "a=rtcp-fb:96", "rtcp-fb needs a payload type and a feedback type"),
                appendedInVideo("rtcp-fb for an unlisted payload type", "a=rtcp-fb:97 nack",
                        "payload type 97 is not listed on the m= line"),
                // extmap (RFC 8285 §8)
                appended("extmap id out of range", "a=extmap:256 urn:example", "extension id 256 is out of range 1-255"),
                appended("extmap id zero", "a=extmap:0 urn:example", "extension id 0 is out of range 1-255"),
                appended("extmap bad direction", "a=extmap:1/sideways urn:example", "extmap direction must be"),
                appended("extmap without URI", "a=extmap:1", "extmap needs an id and a URI"),
                // ssrc, ssrc-group (RFC 5576)
                appended("ssrc not a number", "a=ssrc:abc cname:x", "ssrc is not a number"),
                appended("ssrc above 32 bits", "a=ssrc:4294967296 cname:x", "ssrc 4294967296 is out of range 0-4294967295"),
                appended("ssrc without attribute", "a=ssrc:1", "ssrc needs an SSRC and a source attribute"),
                appended("ssrc-group without SSRCs", "a=ssrc-group:FID", "ssrc-group needs semantics and at least one SSRC"),
                appended("ssrc-group SSRC not a number", "a=ssrc-group:FID 1 two", "ssrc is not a number"),
                // rid, simulcast (RFC 8851, RFC 8853)
                appended("rid bad direction", "a=rid:h sideways", "rid direction must be send or recv"),
                appended("rid id with invalid character", "a=rid:h! send", "rid id has an invalid character '!'"),
                appended("rid pt not a number", "a=rid:h send pt=x", "payload type is not a number"),
                appended("simulcast bad direction", "a=simulcast:both a;b", "simulcast direction must be send or recv"),
                appended("simulcast empty stream", "a=simulcast:send a;;b", "rid id must be 1 to 256 characters"),
                appended("simulcast send twice", "a=simulcast:send a send b", "simulcast names send twice"),
                appended("simulcast without list", "a=simulcast:send", "simulcast needs one or two"),
                // mid, direction, msid (RFC 5888, RFC 8866 §6.7, RFC 8830)
                appended("second mid in a section", "a=mid:b", "duplicate mid in one m= section"),
                appendedInVideo("mid of another section", "a=mid:a", "mid a is already used on line 8"),
                appended("two directions", "a=recvonly", "a=sendonly", "more than one direction attribute"),
                appended("direction with a value", "a=sendrecv:yes", "attribute takes no value"),
                appended("msid with three fields", "a=msid:a b c", "msid has more than an id and an appdata"),
                // ICE and DTLS (RFC 8839 §5.4, RFC 8122 §5, RFC 8842 §5)
                appended("ice-ufrag too short", "a=ice-ufrag:ab", "ice-ufrag must be 4 to 256 characters"),
                appended("ice-pwd invalid character", "a=ice-pwd:abcdefghijklmnopqrstu!", "ice-pwd has an invalid character '!'"),
                appended("fingerprint not hex", "a=fingerprint:sha-256 ZZ:00", "fingerprint is not colon-separated hex bytes"),
                appended("fingerprint without value", "a=fingerprint:sha-256", "fingerprint needs a hash function and a value"),
                appended("setup unknown role", "a=setup:server", "setup must be active, passive, actpass or holdconn"),
                // SCTP (RFC 8841)
                appended("sctp-port out of range", "a=sctp-port:0", "sctp port 0 is out of range 1-65535"),
                appended("max-message-size not a number", "a=max-message-size:big", "max message size is not a number"));
    }

    @ParameterizedTest
    @MethodSource("malformedLines")
    void malformedLineIsReportedWithItsNumberAndText(String sdp, int lineNumber, String reason) {
        String offendingLine = sdp.split("\r\n")[lineNumber - 1];

        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(sdp));

        assertEquals(lineNumber, error.lineNumber());
        String prefix = "line " + lineNumber + ": " + offendingLine.replace("\u0007", "\\x07") + ": ";
        assertTrue(error.getMessage().startsWith(prefix), () -> "message: " + error.getMessage() + ", expected prefix: " + prefix);
        assertTrue(error.getMessage().substring(prefix.length()).startsWith(reason),
                () -> "message: " + error.getMessage() + ", expected reason: " + reason);
    }

    @Test
    void quotedLineIsShortenedInTheMessage() {
        String longValue = "a=rtpmap:abc " + "x".repeat(500);

        SdpParseException error = assertThrows(SdpParseException.class,
                () -> SdpParser.parse(SdpParserTest.MINIMAL + longValue + "\r\n"));

        assertTrue(error.getMessage().length() < 220, error.getMessage());
        assertTrue(error.getMessage().endsWith("...: payload type is not a number"), error.getMessage());
    }

    @Test
    void missingOriginIsReported() {
        String withoutOrigin = SdpParserTest.MINIMAL.replace("o=- 1 2 IN IP4 127.0.0.1\r\n", "");

        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(withoutOrigin));

        assertEquals("line 5: m=audio 9 UDP/TLS/RTP/SAVPF 111 112: m= line before the o= line", error.getMessage());
    }

    @Test
    void emptyTextIsRejected() {
        SdpParseException error = assertThrows(SdpParseException.class, () -> SdpParser.parse(""));

        assertEquals("SDP is empty", error.getMessage());
    }

    private static Arguments appended(String name, String... linesAndReason) {
        List<String> lines = new ArrayList<>(MINIMAL_LINES);
        lines.addAll(Arrays.asList(linesAndReason).subList(0, linesAndReason.length - 1));
        return row(name, lines, lines.size(), linesAndReason[linesAndReason.length - 1]);
    }

    private static Arguments appendedInVideo(String name, String line, String reason) {
        return appended(name, VIDEO_SECTION, line, reason);
    }

    private static Arguments replaced(String name, int lineNumber, String line, String reason) {
        List<String> lines = new ArrayList<>(MINIMAL_LINES);
        lines.set(lineNumber - 1, line);
        return row(name, lines, lineNumber, reason);
    }

    private static Arguments row(String name, List<String> lines, int lineNumber, String reason) {
        return Arguments.of(Named.of(name, String.join("\r\n", lines) + "\r\n"), lineNumber, reason);
    }
}
