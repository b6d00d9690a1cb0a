package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses a session description (RFC 8866) as browsers and libwebrtc write them for WebRTC
 * (RFC 8829 §5.8): unified plan, BUNDLE, rtcp-mux, simulcast, data channel.
 *
 * <p>Strict on syntax, so that a malformed offer fails here with the line that is wrong rather than
 * later in the media path; lenient on what it does not know: attributes it does not interpret are
 * kept as {@link Attribute}s (RFC 8866 §5.13), blank lines are skipped. Unknown line types reject
 * the description, as RFC 8866 §5 requires. Bounded by {@link Limits}: by default at most
 * {@link #MAX_LENGTH} characters, {@link #MAX_LINES} lines and {@link #MAX_MEDIA_SECTIONS} m= sections.
 * A browser's video section is 4-5 KiB and about 150 lines, so a peer connection that receives
 * many videos on their own transceivers needs larger limits than the default.
 *
 * <p>Not thread-safe per instance; use {@link #parse(String)}, which makes one per call.
 */
public final class SdpParser {
    /** The largest description accepted, in characters. A Chrome offer with audio, simulcast video and data is about 6 KiB. */
    public static final int MAX_LENGTH = 64 * 1024;
    /** The most lines accepted. */
    public static final int MAX_LINES = 4096;
    /** The most m= sections accepted. */
    public static final int MAX_MEDIA_SECTIONS = 64;

    static final int MAX_PAYLOAD_TYPE = 127;
    private static final long MAX_SSRC = 0xFFFF_FFFFL;
    private static final int MAX_EXTENSION_ID = 255;
    private static final int MAX_IDENTIFIER_LENGTH = 256;
    private static final int MAX_FINGERPRINT_BYTES = 64;
    /** RFC 8839 §5.4: ice-ufrag is 4 to 256 ice-chars, ice-pwd 22 to 256. */
    private static final int MIN_ICE_UFRAG_LENGTH = 4;
    private static final int MIN_ICE_PWD_LENGTH = 22;

    private final Limits limits;
    private int lineNumber;
    private String line;

    private Origin origin;
    private String sessionName;
    private Connection sessionConnection;
    private boolean timingSeen;
    private long startTime;
    private long stopTime;
    private final SessionAttributes sessionAttributes = new SessionAttributes();
    private final List<Group> groups = new ArrayList<>();
    private final List<Integer> groupLineNumbers = new ArrayList<>();
    private final List<String> groupLines = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();
    private final Map<String, Integer> midLineNumbers = new HashMap<>();
    private Section section;

    /**
     * How much text the parser accepts before reading it: a bound on the work and memory one offer costs.
     *
     * @param maxLength        the most characters
     * @param maxLines         the most lines
     * @param maxMediaSections the most m= sections
     */
    public record Limits(int maxLength, int maxLines, int maxMediaSections) {
        public static final Limits DEFAULT = new Limits(MAX_LENGTH, MAX_LINES, MAX_MEDIA_SECTIONS);

        public Limits {
            if (maxLength < 1 || maxLines < 1 || maxMediaSections < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private SdpParser(Limits limits) {
        this.limits = limits;
    }

    /**
     * Parses {@code sdp}, whose lines end with CRLF or LF, within the {@link Limits#DEFAULT default limits}.
     *
     * @throws SdpParseException when the text is malformed or too large; the message names the line
     */
    public static SessionDescription parse(String sdp) throws SdpParseException {
        return parse(sdp, Limits.DEFAULT);
    }

    /**
     * Parses {@code sdp}, whose lines end with CRLF or LF, within {@code limits}.
     *
     * @throws SdpParseException when the text is malformed or too large; the message names the line
     */
    public static SessionDescription parse(String sdp, Limits limits) throws SdpParseException {
        if (sdp.length() > limits.maxLength()) {
            throw new SdpParseException("SDP is " + sdp.length() + " characters long, more than the limit of "
                    + limits.maxLength());
        }
        return new SdpParser(limits).parseLines(sdp);
    }

    private SessionDescription parseLines(String sdp) throws SdpParseException {
        int lineCount = 1;
        for (int i = 0; i < sdp.length(); i++) {
            if (sdp.charAt(i) == '\n') {
                lineCount++;
            }
        }
        if (lineCount > limits.maxLines() + 1) {
            throw new SdpParseException("SDP has " + lineCount + " lines, more than the limit of " + limits.maxLines());
        }
        int start = 0;
        boolean versionSeen = false;
        while (start < sdp.length()) {
            int end = sdp.indexOf('\n', start);
            if (end < 0) {
                end = sdp.length();
            }
            lineNumber++;
            line = sdp.substring(start, end > start && sdp.charAt(end - 1) == '\r' ? end - 1 : end);
            start = end + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (!versionSeen) {
                if (!line.equals("v=0")) {
                    throw error("expected v=0 as the first line (RFC 8866 §5.1)");
                }
                versionSeen = true;
                continue;
            }
            parseLine();
        }
        if (!versionSeen) {
            throw new SdpParseException("SDP is empty");
        }
        finishSection();
        if (origin == null || sessionName == null) {
            throw error("session description has no " + (origin == null ? "o=" : "s=") + " line");
        }
        checkGroups();
        return new SessionDescription(origin, sessionName, sessionConnection, startTime, stopTime,
                sessionAttributes.iceLite, groups, sessionAttributes.iceUfrag, sessionAttributes.icePwd,
                sessionAttributes.iceOptions, sessionAttributes.fingerprints, sessionAttributes.setup,
                sessionAttributes.direction, sessionAttributes.others, media);
    }

    private void parseLine() throws SdpParseException {
        if (line.length() < 2 || line.charAt(1) != '=') {
            throw error("expected <type>=<value>");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw error("contains a control character");
            }
        }
        char type = line.charAt(0);
        String value = line.substring(2);
        switch (type) {
            case 'v' -> throw error("duplicate v= line");
            case 'o' -> parseOrigin(value);
            case 's' -> parseSessionName(value);
            case 't' -> parseTiming(value);
            case 'c' -> {
                Connection connection = parseConnection(value);
                if (section == null) {
                    sessionConnection = connection;
                } else {
                    section.builder.connection = connection;
                }
            }
            case 'm' -> parseMediaLine(value);
            case 'a' -> parseAttribute(value);
            // Information, URI, email, phone, bandwidth, time zone, key and repeat lines: valid, unused in WebRTC.
            case 'i', 'u', 'e', 'p', 'b', 'z', 'k', 'r' -> {
            }
            default -> throw error("unknown line type '" + type + "' (RFC 8866 §5)");
        }
    }

    // ---- session-level lines ------------------------------------------------------------------

    private void parseOrigin(String value) throws SdpParseException {
        requireSessionLevel("o=");
        if (origin != null) {
            throw error("duplicate o= line");
        }
        String[] fields = value.split(" ", -1);
        if (fields.length != 6) {
            throw error("o= needs 6 fields: username sess-id sess-version nettype addrtype address (RFC 8866 §5.2)");
        }
        for (String field : fields) {
            if (field.isEmpty()) {
                throw error("o= has an empty field");
            }
        }
        requireDigits(fields[1], "session id");
        requireDigits(fields[2], "session version");
        origin = new Origin(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }

    private void parseSessionName(String value) throws SdpParseException {
        requireSessionLevel("s=");
        if (sessionName != null) {
            throw error("duplicate s= line");
        }
        if (value.isEmpty()) {
            throw error("session name is empty (RFC 8866 §5.3 asks for at least one character, e.g. \"-\")");
        }
        sessionName = value;
    }

    private void parseTiming(String value) throws SdpParseException {
        requireSessionLevel("t=");
        String[] fields = value.split(" ", -1);
        if (fields.length != 2) {
            throw error("t= needs a start and a stop time (RFC 8866 §5.9)");
        }
        long start = parseNumber(fields[0], 0, Long.MAX_VALUE, "start time");
        long stop = parseNumber(fields[1], 0, Long.MAX_VALUE, "stop time");
        if (!timingSeen) {
            timingSeen = true;
            startTime = start;
            stopTime = stop;
        }
    }

    private Connection parseConnection(String value) throws SdpParseException {
        String[] fields = value.split(" ", -1);
        if (fields.length != 3 || fields[0].isEmpty() || fields[1].isEmpty() || fields[2].isEmpty()) {
            throw error("c= needs nettype addrtype address (RFC 8866 §5.7)");
        }
        return new Connection(fields[0], fields[1], fields[2]);
    }

    private void requireSessionLevel(String what) throws SdpParseException {
        if (section != null) {
            throw error(what + " line inside an m= section");
        }
    }

    // ---- m= line ------------------------------------------------------------------------------

    private void parseMediaLine(String value) throws SdpParseException {
        if (origin == null || sessionName == null) {
            throw error("m= line before the " + (origin == null ? "o=" : "s=") + " line");
        }
        finishSection();
        if (media.size() == limits.maxMediaSections()) {
            throw error("more than " + limits.maxMediaSections() + " m= sections");
        }
        String[] fields = value.split(" ", -1);
        if (fields.length < 3) {
            throw error("m= needs media, port, protocol and formats (RFC 8866 §5.14)");
        }
        requireToken(fields[0], "media type");
        String portField = fields[1];
        int slash = portField.indexOf('/');
        int port = (int) parseNumber(slash < 0 ? portField : portField.substring(0, slash), 0, 65535, "port");
        if (slash >= 0) {
            parseNumber(portField.substring(slash + 1), 1, 65535, "number of ports");
        }
        if (fields[2].isEmpty()) {
            throw error("protocol is empty");
        }
        MediaDescription.Builder builder = MediaDescription.builder(fields[0], port, fields[2]);
        boolean rtp = fields[2].contains("RTP/");
        Set<Integer> payloadTypes = new HashSet<>();
        for (int i = 3; i < fields.length; i++) {
            String format = fields[i];
            if (rtp) {
                int payloadType = parsePayloadType(format);
                if (!payloadTypes.add(payloadType)) {
                    throw error("payload type " + payloadType + " is listed twice");
                }
            } else if (format.isEmpty()) {
                throw error("empty format");
            }
            builder.formats.add(format);
        }
        if (builder.formats.isEmpty() && port != 0) {
            throw error("m= line has no formats");
        }
        builder.direction = sessionAttributes.direction != null ? sessionAttributes.direction : Direction.SENDRECV;
        section = new Section(builder, payloadTypes);
    }

    // ---- attributes ---------------------------------------------------------------------------

    private void parseAttribute(String attribute) throws SdpParseException {
        int colon = attribute.indexOf(':');
        String name = colon < 0 ? attribute : attribute.substring(0, colon);
        String value = colon < 0 ? null : attribute.substring(colon + 1);
        requireToken(name, "attribute name");
        Direction direction = Direction.fromToken(name);
        if (direction != null) {
            requireNoValue(value);
            if (section == null) {
                if (sessionAttributes.direction != null) {
                    throw error("more than one direction attribute");
                }
                sessionAttributes.direction = direction;
            } else {
                if (section.directionSeen) {
                    throw error("more than one direction attribute");
                }
                section.directionSeen = true;
                section.builder.direction = direction;
            }
            return;
        }
        if (section == null) {
            parseSessionAttribute(name, value);
        } else {
            parseMediaAttribute(name, value);
        }
    }

    private void parseSessionAttribute(String name, String value) throws SdpParseException {
        switch (name) {
            case "group" -> parseGroup(requireValue(value));
            case "ice-lite" -> {
                requireNoValue(value);
                sessionAttributes.iceLite = true;
            }
            case "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup" ->
                    parseTransportAttribute(sessionAttributes, name, requireValue(value));
            default -> sessionAttributes.others.add(new Attribute(name, value));
        }
    }

    private void parseMediaAttribute(String name, String value) throws SdpParseException {
        MediaDescription.Builder builder = section.builder;
        switch (name) {
            case "mid" -> parseMid(requireValue(value));
            case "rtcp-mux" -> {
                requireNoValue(value);
                builder.rtcpMux = true;
            }
            case "rtcp-rsize" -> {
                requireNoValue(value);
                builder.rtcpReducedSize = true;
            }
            case "rtpmap" -> parseRtpmap(requireValue(value));
            case "fmtp" -> parseFmtp(requireValue(value));
            case "rtcp-fb" -> parseRtcpFeedback(requireValue(value));
            case "extmap" -> parseExtmap(requireValue(value));
            case "ssrc" -> parseSsrc(requireValue(value));
            case "ssrc-group" -> parseSsrcGroup(requireValue(value));
            case "rid" -> parseRid(requireValue(value));
            case "simulcast" -> parseSimulcast(requireValue(value));
            case "msid" -> parseMsid(requireValue(value));
            case "candidate" -> builder.candidates.add(requireValue(value));
            case "end-of-candidates" -> {
                requireNoValue(value);
                builder.endOfCandidates = true;
            }
            case "sctp-port" -> {
                if (builder.sctpPort != 0) {
                    throw error("duplicate sctp-port");
                }
                builder.sctpPort = (int) parseNumber(requireValue(value), 1, 65535, "sctp port");
            }
            case "max-message-size" -> {
                if (builder.maxMessageSize >= 0) {
                    throw error("duplicate max-message-size");
                }
                builder.maxMessageSize = parseNumber(requireValue(value), 0, Long.MAX_VALUE, "max message size");
            }
            case "ice-ufrag", "ice-pwd", "ice-options", "fingerprint", "setup" ->
                    parseTransportAttribute(section.transport, name, requireValue(value));
            default -> builder.otherAttributes.add(new Attribute(name, value));
        }
    }

    /** RFC 5888 §5: {@code a=group:<semantics> <mid> ...}. */
    private void parseGroup(String value) throws SdpParseException {
        String[] fields = value.split(" ", -1);
        requireToken(fields[0], "group semantics");
        List<String> mids = new ArrayList<>();
        for (int i = 1; i < fields.length; i++) {
            requireToken(fields[i], "mid");
            if (mids.contains(fields[i])) {
                throw error("mid " + fields[i] + " is listed twice");
            }
            mids.add(fields[i]);
        }
        groups.add(new Group(fields[0], mids));
        groupLineNumbers.add(lineNumber);
        groupLines.add(line);
    }

    /** RFC 8839 §5.4 (ice-ufrag, ice-pwd), §5.6 (ice-options); RFC 8122 §5 (fingerprint); RFC 4145 §4 (setup). */
    private void parseTransportAttribute(TransportAttributes transport, String name, String value)
            throws SdpParseException {
        switch (name) {
            case "ice-ufrag" -> {
                if (transport.iceUfrag != null) {
                    throw error("duplicate ice-ufrag");
                }
                requireIceChars(value, MIN_ICE_UFRAG_LENGTH, "ice-ufrag");
                transport.iceUfrag = value;
            }
            case "ice-pwd" -> {
                if (transport.icePwd != null) {
                    throw error("duplicate ice-pwd");
                }
                requireIceChars(value, MIN_ICE_PWD_LENGTH, "ice-pwd");
                transport.icePwd = value;
            }
            case "ice-options" -> {
                for (String option : value.split(" ", -1)) {
                    requireToken(option, "ice option");
                    transport.iceOptions.add(option);
                }
            }
            case "fingerprint" -> transport.fingerprints.add(parseFingerprint(value));
            case "setup" -> {
                if (transport.setup != null) {
                    throw error("duplicate setup");
                }
                Setup setup = Setup.fromToken(value);
                if (setup == null) {
                    throw error("setup must be active, passive, actpass or holdconn");
                }
                transport.setup = setup;
            }
            default -> throw new IllegalArgumentException(name);
        }
    }

    private Fingerprint parseFingerprint(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw error("fingerprint needs a hash function and a value (RFC 8122 §5)");
        }
        String algorithm = value.substring(0, space);
        String hex = value.substring(space + 1);
        requireToken(algorithm, "hash function");
        String[] bytes = hex.split(":", -1);
        if (bytes.length > MAX_FINGERPRINT_BYTES) {
            throw error("fingerprint is longer than " + MAX_FINGERPRINT_BYTES + " bytes");
        }
        for (String pair : bytes) {
            if (pair.length() != 2 || Character.digit(pair.charAt(0), 16) < 0 || Character.digit(pair.charAt(1), 16) < 0) {
                throw error("fingerprint is not colon-separated hex bytes");
            }
        }
        return new Fingerprint(algorithm.toLowerCase(Locale.ROOT), hex.toUpperCase(Locale.ROOT));
    }

    private void parseMid(String value) throws SdpParseException {
        if (section.builder.mid != null) {
            throw error("duplicate mid in one m= section");
        }
        requireToken(value, "mid");
        if (midLineNumbers.putIfAbsent(value, lineNumber) != null) {
            throw error("mid " + value + " is already used on line " + midLineNumbers.get(value));
        }
        section.builder.mid = value;
    }

    /** RFC 8866 §6.6: {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]}. */
    private void parseRtpmap(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw error("rtpmap needs a payload type and an encoding");
        }
        int payloadType = parseListedPayloadType(value.substring(0, space));
        if (section.rtpmaps.containsKey(payloadType)) {
            throw error("duplicate rtpmap for payload type " + payloadType);
        }
        String[] encoding = value.substring(space + 1).split("/", -1);
        if (encoding.length < 2 || encoding.length > 3) {
            throw error("encoding must be <name>/<clock rate>[/<channels>]");
        }
        requireToken(encoding[0], "encoding name");
        int clockRate = (int) parseNumber(encoding[1], 1, 1_000_000_000, "clock rate");
        int channels = encoding.length == 3 ? (int) parseNumber(encoding[2], 1, 255, "channel count") : 1;
        section.rtpmaps.put(payloadType, new RtpMap(encoding[0], clockRate, channels));
    }

    /** RFC 8866 §6.15: {@code a=fmtp:<format> <format specific parameters>}. */
    private void parseFmtp(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0 || space == value.length() - 1) {
            throw error("fmtp needs a payload type and parameters");
        }
        int payloadType = parseListedPayloadType(value.substring(0, space));
        if (section.fmtps.putIfAbsent(payloadType, value.substring(space + 1)) != null) {
            throw error("duplicate fmtp for payload type " + payloadType);
        }
    }

    /** RFC 4585 §4.2: {@code a=rtcp-fb:<payload type or *> <type> [<parameters>]}. */
    private void parseRtcpFeedback(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw error("rtcp-fb needs a payload type and a feedback type");
        }
        String target = value.substring(0, space);
        String rest = value.substring(space + 1);
        int typeEnd = rest.indexOf(' ');
        String type = typeEnd < 0 ? rest : rest.substring(0, typeEnd);
        String parameter = typeEnd < 0 ? "" : rest.substring(typeEnd + 1);
        requireToken(type, "feedback type");
        if (typeEnd >= 0 && parameter.isEmpty()) {
            throw error("feedback parameter is empty");
        }
        RtcpFeedback feedback = new RtcpFeedback(type, parameter);
        if (target.equals("*")) {
            section.builder.wildcardFeedback.add(feedback);
        } else {
            int payloadType = parseListedPayloadType(target);
            section.feedback.computeIfAbsent(payloadType, key -> new ArrayList<>()).add(feedback);
        }
    }

    /** RFC 8285 §8: {@code a=extmap:<id>[/<direction>] <uri> [<extension attributes>]}. */
    private void parseExtmap(String value) throws SdpParseException {
        String[] fields = value.split(" ", 3);
        if (fields.length < 2 || fields[1].isEmpty()) {
            throw error("extmap needs an id and a URI");
        }
        String idField = fields[0];
        Direction direction = null;
        int slash = idField.indexOf('/');
        if (slash >= 0) {
            direction = Direction.fromToken(idField.substring(slash + 1));
            if (direction == null) {
                throw error("extmap direction must be sendrecv, sendonly, recvonly or inactive");
            }
            idField = idField.substring(0, slash);
        }
        int id = (int) parseNumber(idField, 1, MAX_EXTENSION_ID, "extension id");
        for (HeaderExtension existing : section.builder.headerExtensions) {
            if (existing.id() == id) {
                throw error("extension id " + id + " is already mapped to " + existing.uri());
            }
        }
        section.builder.headerExtensions.add(new HeaderExtension(id, fields[1], direction,
                fields.length == 3 ? fields[2] : ""));
    }

    /** RFC 5576 §4.1: {@code a=ssrc:<ssrc-id> <attribute>[:<value>]}. */
    private void parseSsrc(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw error("ssrc needs an SSRC and a source attribute");
        }
        long ssrc = parseNumber(value.substring(0, space), 0, MAX_SSRC, "ssrc");
        String sourceAttribute = value.substring(space + 1);
        int colon = sourceAttribute.indexOf(':');
        String name = colon < 0 ? sourceAttribute : sourceAttribute.substring(0, colon);
        requireToken(name, "source attribute name");
        section.ssrcAttributes.computeIfAbsent(ssrc, key -> new ArrayList<>())
                .add(new Attribute(name, colon < 0 ? null : sourceAttribute.substring(colon + 1)));
    }

    /** RFC 5576 §4.2: {@code a=ssrc-group:<semantics> <ssrc-id> ...}. */
    private void parseSsrcGroup(String value) throws SdpParseException {
        String[] fields = value.split(" ", -1);
        if (fields.length < 2) {
            throw error("ssrc-group needs semantics and at least one SSRC");
        }
        requireToken(fields[0], "ssrc-group semantics");
        List<Long> ssrcs = new ArrayList<>();
        for (int i = 1; i < fields.length; i++) {
            ssrcs.add(parseNumber(fields[i], 0, MAX_SSRC, "ssrc"));
        }
        section.builder.ssrcGroups.add(new SsrcGroup(fields[0], ssrcs));
    }

    /** RFC 8851 §10: {@code a=rid:<rid-id> <send|recv> [pt=<fmt list>;<restriction>=<value>...]}. */
    private void parseRid(String value) throws SdpParseException {
        String[] fields = value.split(" ", 3);
        if (fields.length < 2) {
            throw error("rid needs an id and a direction");
        }
        requireRidId(fields[0]);
        StreamDirection direction = StreamDirection.fromToken(fields[1]);
        if (direction == null) {
            throw error("rid direction must be send or recv");
        }
        for (RidDescription existing : section.builder.rids) {
            if (existing.id().equals(fields[0])) {
                throw error("duplicate rid " + fields[0]);
            }
        }
        List<Integer> payloadTypes = new ArrayList<>();
        Map<String, String> restrictions = new LinkedHashMap<>();
        if (fields.length == 3) {
            for (String restriction : fields[2].split(";", -1)) {
                int equals = restriction.indexOf('=');
                String key = equals < 0 ? restriction : restriction.substring(0, equals);
                String restrictionValue = equals < 0 ? "" : restriction.substring(equals + 1);
                requireToken(key, "rid restriction");
                if (key.equals("pt")) {
                    if (!payloadTypes.isEmpty()) {
                        throw error("duplicate pt restriction");
                    }
                    for (String payloadType : restrictionValue.split(",", -1)) {
                        payloadTypes.add(parsePayloadType(payloadType));
                    }
                } else {
                    restrictions.put(key, restrictionValue);
                }
            }
        }
        section.builder.rids.add(new RidDescription(fields[0], direction, payloadTypes, restrictions));
    }

    /** RFC 8853 §5.1: {@code a=simulcast:<send|recv> <list> [<send|recv> <list>]}. */
    private void parseSimulcast(String value) throws SdpParseException {
        if (section.builder.simulcast != null) {
            throw error("duplicate simulcast");
        }
        String[] fields = value.trim().split(" +", -1);
        if (fields.length != 2 && fields.length != 4) {
            throw error("simulcast needs one or two <send|recv> <stream list> pairs");
        }
        List<Simulcast.Stream> send = List.of();
        List<Simulcast.Stream> receive = List.of();
        for (int i = 0; i < fields.length; i += 2) {
            StreamDirection direction = StreamDirection.fromToken(fields[i]);
            if (direction == null) {
                throw error("simulcast direction must be send or recv");
            }
            List<Simulcast.Stream> streams = parseSimulcastStreams(fields[i + 1]);
            if (direction == StreamDirection.SEND) {
                if (!send.isEmpty()) {
                    throw error("simulcast names send twice");
                }
                send = streams;
            } else {
                if (!receive.isEmpty()) {
                    throw error("simulcast names recv twice");
                }
                receive = streams;
            }
        }
        section.builder.simulcast = new Simulcast(send, receive);
    }

    private List<Simulcast.Stream> parseSimulcastStreams(String list) throws SdpParseException {
        List<Simulcast.Stream> streams = new ArrayList<>();
        for (String stream : list.split(";", -1)) {
            List<Simulcast.Rid> alternatives = new ArrayList<>();
            for (String rid : stream.split(",", -1)) {
                boolean paused = rid.startsWith("~");
                String id = paused ? rid.substring(1) : rid;
                requireRidId(id);
                alternatives.add(new Simulcast.Rid(id, paused));
            }
            streams.add(new Simulcast.Stream(alternatives));
        }
        return streams;
    }

    /** RFC 8830 §2: {@code a=msid:<id> [<appdata>]}. */
    private void parseMsid(String value) throws SdpParseException {
        String[] fields = value.split(" ", -1);
        if (fields.length > 2) {
            throw error("msid has more than an id and an appdata");
        }
        for (String field : fields) {
            requireToken(field, "msid");
        }
        section.builder.msids.add(new Msid(fields[0], fields.length == 2 ? fields[1] : null));
    }

    // ---- end of an m= section and of the description -------------------------------------------

    private void finishSection() {
        if (section == null) {
            return;
        }
        MediaDescription.Builder builder = section.builder;
        if (section.payloadTypes != null) {
            for (String format : builder.formats) {
                int payloadType = Integer.parseInt(format);
                RtpMap rtpmap = section.rtpmaps.get(payloadType);
                if (rtpmap == null) {
                    continue;
                }
                String fmtp = section.fmtps.getOrDefault(payloadType, "");
                builder.codecs.add(new Codec(payloadType, rtpmap.name, rtpmap.clockRate, rtpmap.channels, fmtp,
                        Codec.parseFmtp(fmtp), section.feedback.getOrDefault(payloadType, List.of())));
            }
        }
        for (Map.Entry<Long, List<Attribute>> ssrc : section.ssrcAttributes.entrySet()) {
            builder.ssrcs.add(new SsrcDescription(ssrc.getKey(), ssrc.getValue()));
        }
        TransportAttributes transport = section.transport;
        builder.iceUfrag = transport.iceUfrag;
        builder.icePwd = transport.icePwd;
        builder.iceOptions.addAll(transport.iceOptions);
        builder.fingerprints.addAll(transport.fingerprints);
        builder.setup = transport.setup;
        media.add(builder.build());
        section = null;
    }

    /** RFC 8843 §7: every mid a BUNDLE group names must be the mid of an m= section. */
    private void checkGroups() throws SdpParseException {
        for (int i = 0; i < groups.size(); i++) {
            for (String mid : groups.get(i).mids()) {
                if (!midLineNumbers.containsKey(mid)) {
                    lineNumber = groupLineNumbers.get(i);
                    line = groupLines.get(i);
                    throw error("no m= section has mid " + mid);
                }
            }
        }
    }

    // ---- lexical helpers ----------------------------------------------------------------------

    private int parseListedPayloadType(String text) throws SdpParseException {
        int payloadType = parsePayloadType(text);
        if (section.payloadTypes == null) {
            throw error("payload type in a non-RTP m= section");
        }
        if (!section.payloadTypes.contains(payloadType)) {
            throw error("payload type " + payloadType + " is not listed on the m= line");
        }
        return payloadType;
    }

    private int parsePayloadType(String text) throws SdpParseException {
        return (int) parseNumber(text, 0, MAX_PAYLOAD_TYPE, "payload type");
    }

    /** A decimal number in {@code [min, max]}; the message says which field was wrong. */
    private long parseNumber(String text, long min, long max, String what) throws SdpParseException {
        if (text.isEmpty() || text.length() > 18) {
            throw error(what + " is not a number");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw error(what + " is not a number");
            }
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw error(what + " " + value + " is out of range " + min + "-" + max);
        }
        return value;
    }

    private void requireDigits(String text, String what) throws SdpParseException {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw error(what + " is not a number");
            }
        }
    }

    /** RFC 8866 §9 token: visible ASCII except separators. */
    private void requireToken(String text, String what) throws SdpParseException {
        if (text.isEmpty()) {
            throw error(what + " is empty");
        }
        if (text.length() > MAX_IDENTIFIER_LENGTH) {
            throw error(what + " is longer than " + MAX_IDENTIFIER_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`{|}~".indexOf(c) >= 0;
            if (!token) {
                throw error(what + " has an invalid character '" + c + "'");
            }
        }
    }

    /** RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"). */
    private void requireRidId(String id) throws SdpParseException {
        if (id.isEmpty() || id.length() > MAX_IDENTIFIER_LENGTH) {
            throw error("rid id must be 1 to " + MAX_IDENTIFIER_LENGTH + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                throw error("rid id has an invalid character '" + c + "'");
            }
        }
    }

    /** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/", between {@code min} and 256 of them. */
    private void requireIceChars(String text, int min, String what) throws SdpParseException {
        if (text.length() < min || text.length() > 256) {
            throw error(what + " must be " + min + " to 256 characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                throw error(what + " has an invalid character '" + c + "'");
            }
        }
    }

    private String requireValue(String value) throws SdpParseException {
        if (value == null || value.isEmpty()) {
            throw error("attribute needs a value");
        }
        return value;
    }

    private void requireNoValue(String value) throws SdpParseException {
        if (value != null) {
            throw error("attribute takes no value");
        }
    }

    private SdpParseException error(String reason) {
        return new SdpParseException(lineNumber, line, reason);
    }

    // ---- parse state --------------------------------------------------------------------------

    /** Transport attributes allowed at session and media level. */
    private static class TransportAttributes {
        String iceUfrag;
        String icePwd;
        final List<String> iceOptions = new ArrayList<>();
        final List<Fingerprint> fingerprints = new ArrayList<>();
        Setup setup;
    }

    private static final class SessionAttributes extends TransportAttributes {
        boolean iceLite;
        Direction direction;
        final List<Attribute> others = new ArrayList<>();
    }

    private record RtpMap(String name, int clockRate, int channels) {
    }

    /** An m= section being read: codec lines are collected by payload type and joined at its end. */
    private static final class Section {
        final MediaDescription.Builder builder;
        /** The payload types of the m= line, or null when the section is not RTP. */
        final Set<Integer> payloadTypes;
        final TransportAttributes transport = new TransportAttributes();
        final Map<Integer, RtpMap> rtpmaps = new HashMap<>();
        final Map<Integer, String> fmtps = new HashMap<>();
        final Map<Integer, List<RtcpFeedback>> feedback = new HashMap<>();
        final Map<Long, List<Attribute>> ssrcAttributes = new LinkedHashMap<>();
        boolean directionSeen;

        Section(MediaDescription.Builder builder, Set<Integer> payloadTypes) {
            this.builder = builder;
            this.payloadTypes = builder.protocol.contains("RTP/") ? payloadTypes : null;
        }
    }
}
