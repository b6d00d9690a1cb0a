package org.archipelago.media.sdp;

import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A codec the server forwards, with the rule deciding which offered formats of it are acceptable and
 * the fmtp it answers with. An SFU does not decode, but every subscriber must be able to decode what a
 * publisher sends, so the rules keep to profiles every browser decodes.
 */
public final class SupportedCodec {
    /** RFC 6184 §8.1: without profile-level-id, Baseline profile level 1.0. */
    private static final String H264_DEFAULT_PROFILE_LEVEL_ID = "420010";
    private static final int H264_PROFILE_IDC_BASELINE = 0x42;
    private static final int H264_PROFILE_IDC_MAIN = 0x4D;

    private final MediaKind kind;
    private final String name;
    private final int clockRate;
    private final int channels;
    private final Predicate<Codec> acceptsFormat;
    private final Function<Codec, String> answerFmtp;

    private SupportedCodec(MediaKind kind, String name, int clockRate, int channels,
                           Predicate<Codec> acceptsFormat, Function<Codec, String> answerFmtp) {
        this.kind = kind;
        this.name = name;
        this.clockRate = clockRate;
        this.channels = channels;
        this.acceptsFormat = acceptsFormat;
        this.answerFmtp = answerFmtp;
    }

    /**
     * A codec matched by name (ignoring case), clock rate and channel count, further restricted by
     * {@code acceptsFormat}; {@code answerFmtp} gives the answer's fmtp text for an accepted format.
     */
    public static SupportedCodec of(MediaKind kind, String name, int clockRate, int channels,
                                    Predicate<Codec> acceptsFormat, Function<Codec, String> answerFmtp) {
        return new SupportedCodec(kind, name, clockRate, channels, acceptsFormat, answerFmtp);
    }

    /** Opus 48000/2 (RFC 7587 §7); the answer keeps the offer's useinbandfec and usedtx. */
    public static SupportedCodec opus() {
        return of(MediaKind.AUDIO, "opus", 48000, 2, format -> true,
                offered -> keepParameters(offered, "useinbandfec", "usedtx"));
    }

    /**
     * RED for Opus (RFC 2198, {@code red/48000/2}): each packet carries the previous Opus frame
     * again, so one lost packet costs nothing. The answer keeps the offered block list (e.g.
     * {@code 111/111}); {@link SdpAnswerBuilder} accepts RED only when every block is a format the
     * section accepts.
     */
    public static SupportedCodec red() {
        return of(MediaKind.AUDIO, Codec.RED, 48000, 2, format -> !format.redBlockPayloadTypes().isEmpty(),
                Codec::fmtp);
    }

    public static SupportedCodec vp8() {
        return of(MediaKind.VIDEO, "VP8", 90000, 1, format -> true, offered -> "");
    }

    /** VP9 profile 0 only (8-bit 4:2:0, the profile every browser decodes); profile-id absent means 0. */
    public static SupportedCodec vp9() {
        return of(MediaKind.VIDEO, "VP9", 90000, 1, format -> isAbsentOrZero(format.parameter("profile-id")),
                offered -> keepParameters(offered, "profile-id"));
    }

    /**
     * H264 with packetization-mode=1 (RFC 6184 §6.3) in the Baseline family (profile_idc 0x42, e.g.
     * 42e01f constrained baseline, 42001f) or Main (0x4d, e.g. 4d001f). The answer repeats the offered
     * profile-level-id with level-asymmetry-allowed=1 (RFC 6184 §8.1), so each side may send at its own level.
     */
    public static SupportedCodec h264() {
        return of(MediaKind.VIDEO, "H264", 90000, 1, SupportedCodec::isSupportedH264,
                offered -> "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id="
                        + h264ProfileLevelId(offered));
    }

    /** AV1 main profile (profile 0 or absent); the answer repeats the offered parameters. */
    public static SupportedCodec av1() {
        return of(MediaKind.VIDEO, "AV1", 90000, 1, format -> isAbsentOrZero(format.parameter("profile")),
                Codec::fmtp);
    }

    /**
     * RED, Opus, VP8, VP9, H264, AV1: the server's default order of preference. RED comes before
     * Opus because libwebrtc sends RED only when the answer lists it before the codec it protects:
     * publishers on lossy links then send every audio frame twice, and the server forwards RED to
     * subscribers that negotiated it and the primary Opus frame to those that did not.
     */
    public static List<SupportedCodec> defaults() {
        return List.of(red(), opus(), vp8(), vp9(), h264(), av1());
    }

    public MediaKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** Whether {@code offered}, a format of an m= section of {@code sectionKind}, is this codec in an acceptable profile. */
    public boolean accepts(MediaKind sectionKind, Codec offered) {
        return sectionKind == kind
                && offered.name().equalsIgnoreCase(name)
                && offered.clockRate() == clockRate
                && offered.channels() == channels
                && acceptsFormat.test(offered);
    }

    /** The fmtp text the answer gives an accepted {@code offered} format. */
    public String answerFmtp(Codec offered) {
        return answerFmtp.apply(offered);
    }

    private static boolean isAbsentOrZero(String value) {
        return value == null || value.equals("0");
    }

    private static String keepParameters(Codec offered, String... names) {
        StringJoiner kept = new StringJoiner(";");
        for (String parameterName : names) {
            String value = offered.parameter(parameterName);
            if (value != null) {
                kept.add(parameterName + "=" + value);
            }
        }
        return kept.toString();
    }

    private static boolean isSupportedH264(Codec offered) {
        if (!"1".equals(offered.parameter("packetization-mode"))) {
            return false;
        }
        String profileLevelId = h264ProfileLevelId(offered);
        if (profileLevelId.length() != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (Character.digit(profileLevelId.charAt(i), 16) < 0) {
                return false;
            }
        }
        // profile-level-id is profile_idc, profile-iop (constraint flags), level_idc (RFC 6184 §8.1).
        int profileIdc = Integer.parseInt(profileLevelId.substring(0, 2), 16);
        return profileIdc == H264_PROFILE_IDC_BASELINE || profileIdc == H264_PROFILE_IDC_MAIN;
    }

    private static String h264ProfileLevelId(Codec offered) {
        String value = offered.parameter("profile-level-id");
        return value == null ? H264_DEFAULT_PROFILE_LEVEL_ID : value.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
