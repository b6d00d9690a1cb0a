package org.archipelago.media.testing.webrtc;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;

import java.util.Map;

/**
 * The numbers a test asserts on, read from one libwebrtc {@code getStats()} report
 * (W3C webrtc-stats names in the comments).
 *
 * <p>Counters are summed over every RTP stream of the kind (an SFU may send several inbound video
 * streams), {@code videoFramesPerSecond} too (total decoded frame rate). A stream that does not
 * exist yet, or an attribute libwebrtc has not filled in yet (it omits e.g. {@code framesDecoded}
 * before the first key frame), counts as 0.
 *
 * @param videoFramesReceived  inbound-rtp video {@code framesReceived}: complete frames assembled
 * @param videoFramesDecoded   inbound-rtp video {@code framesDecoded}
 * @param videoPacketsReceived inbound-rtp video {@code packetsReceived}
 * @param videoPacketsLost     inbound-rtp video {@code packetsLost} (may be negative with duplicates)
 * @param videoFreezeCount     inbound-rtp video {@code freezeCount}
 * @param videoFramesPerSecond inbound-rtp video {@code framesPerSecond} (decoded)
 * @param videoNacksSent       inbound-rtp video {@code nackCount}: NACKs this peer sent
 * @param videoPlisSent        inbound-rtp video {@code pliCount}: PLIs this peer sent
 * @param videoPacketsSent     outbound-rtp video {@code packetsSent}
 * @param videoFramesEncoded   outbound-rtp video {@code framesEncoded}
 * @param videoNacksReceived   outbound-rtp video {@code nackCount}: NACKs this peer received
 * @param videoPlisReceived    outbound-rtp video {@code pliCount}: PLIs this peer received
 * @param audioPacketsReceived inbound-rtp audio {@code packetsReceived}
 * @param audioPacketsLost     inbound-rtp audio {@code packetsLost}
 * @param audioSamplesReceived inbound-rtp audio {@code totalSamplesReceived}: samples played out,
 *                             decoded or concealed (0 on a peer that sends audio: see LibWebRtcPeer)
 * @param audioSamplesConcealed inbound-rtp audio {@code concealedSamples}: samples made up for missing audio
 * @param audioEnergy          inbound-rtp audio {@code totalAudioEnergy}: 0 while only silence was played
 * @param audioPacketsSent     outbound-rtp audio {@code packetsSent}
 * @param inboundVideoCodec    mimeType of the codec of an inbound video stream, or "" if none yet
 * @param outboundVideoCodec   mimeType of the codec of an outbound video stream, or "" if none yet
 */
public record PeerStats(
        long videoFramesReceived,
        long videoFramesDecoded,
        long videoPacketsReceived,
        long videoPacketsLost,
        long videoFreezeCount,
        double videoFramesPerSecond,
        long videoNacksSent,
        long videoPlisSent,
        long videoPacketsSent,
        long videoFramesEncoded,
        long videoNacksReceived,
        long videoPlisReceived,
        long audioPacketsReceived,
        long audioPacketsLost,
        long audioSamplesReceived,
        long audioSamplesConcealed,
        double audioEnergy,
        long audioPacketsSent,
        String inboundVideoCodec,
        String outboundVideoCodec) {

    private static final String VIDEO = "video";
    private static final String AUDIO = "audio";

    /**
     * Reads the numbers out of a report. libwebrtc keys the report's map by stats object id (e.g.
     * {@code "IT01V1234"}), which is opaque; streams are therefore found by {@link RTCStats#getType()}
     * and their {@code kind} attribute, and a stream's codec through its {@code codecId}.
     */
    public static PeerStats from(RTCStatsReport report) {
        Map<String, RTCStats> all = report.getStats();
        long framesReceived = 0, framesDecoded = 0, packetsReceived = 0, packetsLost = 0;
        long freezes = 0, nacksSent = 0, plisSent = 0, packetsSent = 0, framesEncoded = 0;
        long nacksReceived = 0, plisReceived = 0, audioReceived = 0, audioSent = 0;
        long audioLost = 0, audioSamples = 0, audioConcealed = 0;
        double fps = 0, audioEnergy = 0;
        String inCodec = "", outCodec = "";
        for (RTCStats stats : all.values()) {
            Map<String, Object> a = stats.getAttributes();
            Object kind = a.get("kind");
            if (stats.getType() == RTCStatsType.INBOUND_RTP && VIDEO.equals(kind)) {
                framesReceived += asLong(a.get("framesReceived"));
                framesDecoded += asLong(a.get("framesDecoded"));
                packetsReceived += asLong(a.get("packetsReceived"));
                packetsLost += asLong(a.get("packetsLost"));
                freezes += asLong(a.get("freezeCount"));
                fps += asDouble(a.get("framesPerSecond"));
                nacksSent += asLong(a.get("nackCount"));
                plisSent += asLong(a.get("pliCount"));
                inCodec = codecOf(all, a, inCodec);
            } else if (stats.getType() == RTCStatsType.OUTBOUND_RTP && VIDEO.equals(kind)) {
                packetsSent += asLong(a.get("packetsSent"));
                framesEncoded += asLong(a.get("framesEncoded"));
                nacksReceived += asLong(a.get("nackCount"));
                plisReceived += asLong(a.get("pliCount"));
                outCodec = codecOf(all, a, outCodec);
            } else if (stats.getType() == RTCStatsType.INBOUND_RTP && AUDIO.equals(kind)) {
                audioReceived += asLong(a.get("packetsReceived"));
                audioLost += asLong(a.get("packetsLost"));
                audioSamples += asLong(a.get("totalSamplesReceived"));
                audioConcealed += asLong(a.get("concealedSamples"));
                audioEnergy += asDouble(a.get("totalAudioEnergy"));
            } else if (stats.getType() == RTCStatsType.OUTBOUND_RTP && AUDIO.equals(kind)) {
                audioSent += asLong(a.get("packetsSent"));
            }
        }
        return new PeerStats(framesReceived, framesDecoded, packetsReceived, packetsLost, freezes, fps,
                nacksSent, plisSent, packetsSent, framesEncoded, nacksReceived, plisReceived,
                audioReceived, audioLost, audioSamples, audioConcealed, audioEnergy, audioSent, inCodec, outCodec);
    }

    private static String codecOf(Map<String, RTCStats> all, Map<String, Object> stream, String fallback) {
        Object codecId = stream.get("codecId");
        RTCStats codec = codecId == null ? null : all.get(codecId.toString());
        Object mime = codec == null ? null : codec.getAttributes().get("mimeType");
        return mime == null ? fallback : mime.toString();
    }

    /** webrtc-java maps uint32 to Long, uint64 to BigInteger and int32 to Integer: take any Number. */
    private static long asLong(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    private static double asDouble(Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }
}
