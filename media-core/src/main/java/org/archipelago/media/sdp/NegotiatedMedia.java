package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an answer agreed for one accepted m= section: what the peer needs to map incoming packets
 * (payload types, RTX pairs, header extension ids, the remote SSRCs and rids) and to send its own.
 *
 * @param mid              the section's mid
 * @param kind             audio or video
 * @param direction        the server's direction, as written in the answer
 * @param codecs           the answer's formats in answer order, RTX formats right after their primary
 * @param rtxToPrimary     RTX payload type to the payload type it retransmits (RFC 4588 §8.6 apt)
 * @param headerExtensions the header extensions with the offer's ids (RFC 8285 §6)
 * @param remoteSsrcs      the SSRCs the offerer announced for what it sends (empty when it does not send)
 * @param remoteSsrcGroups the offerer's ssrc-groups (FID pairs media with RTX, SIM lists layers)
 * @param remoteRids       the rids the offerer sends simulcast streams with, in the order of its
 *                         a=simulcast send list (RFC 8853 §5.1); empty without simulcast
 * @param remoteMsids      the offerer's a=msid lines
 * @param sendStream       the stream the server announced it sends, or null
 */
public record NegotiatedMedia(String mid, MediaKind kind, Direction direction, List<Codec> codecs,
                              Map<Integer, Integer> rtxToPrimary, List<HeaderExtension> headerExtensions,
                              List<SsrcDescription> remoteSsrcs, List<SsrcGroup> remoteSsrcGroups,
                              List<RidDescription> remoteRids, List<Msid> remoteMsids, SendStream sendStream) {
    /** What {@link #headerExtensionId(String)} returns for an extension that was not negotiated. */
    public static final int NO_EXTENSION = 0;
    /** What the payload type lookups return when there is no such payload type. */
    public static final int NO_PAYLOAD_TYPE = -1;
    /** What {@link #remoteRtxSsrc(long)} returns when the SSRC has no RTX pair. */
    public static final long NO_SSRC = -1;

    public NegotiatedMedia {
        codecs = List.copyOf(codecs);
        rtxToPrimary = Collections.unmodifiableMap(new LinkedHashMap<>(rtxToPrimary));
        headerExtensions = List.copyOf(headerExtensions);
        remoteSsrcs = List.copyOf(remoteSsrcs);
        remoteSsrcGroups = List.copyOf(remoteSsrcGroups);
        remoteRids = List.copyOf(remoteRids);
        remoteMsids = List.copyOf(remoteMsids);
    }

    /** The negotiated format with this payload type, or null. */
    public Codec codec(int payloadType) {
        // Indexed, not for-each: the peer calls this per received packet, and a list iterator is
        // an allocation the JIT may or may not remove.
        for (int i = 0; i < codecs.size(); i++) {
            Codec codec = codecs.get(i);
            if (codec.payloadType() == payloadType) {
                return codec;
            }
        }
        return null;
    }

    /** The media formats, without RTX, in order of preference: the first is what the server prefers to receive. */
    public List<Codec> primaryCodecs() {
        List<Codec> primary = new ArrayList<>();
        for (Codec codec : codecs) {
            if (!codec.isRtx()) {
                primary.add(codec);
            }
        }
        return primary;
    }

    /** The RTX payload type that retransmits {@code primaryPayloadType}, or {@link #NO_PAYLOAD_TYPE}. */
    public int rtxPayloadType(int primaryPayloadType) {
        for (Map.Entry<Integer, Integer> pair : rtxToPrimary.entrySet()) {
            if (pair.getValue() == primaryPayloadType) {
                return pair.getKey();
            }
        }
        return NO_PAYLOAD_TYPE;
    }

    /** The payload type that {@code rtxPayloadType} retransmits, or {@link #NO_PAYLOAD_TYPE}. */
    public int associatedPayloadType(int rtxPayloadType) {
        return rtxToPrimary.getOrDefault(rtxPayloadType, NO_PAYLOAD_TYPE);
    }

    /** The id of the header extension with this URI, or {@link #NO_EXTENSION}. */
    public int headerExtensionId(String uri) {
        for (HeaderExtension extension : headerExtensions) {
            if (extension.uri().equals(uri)) {
                return extension.id();
            }
        }
        return NO_EXTENSION;
    }

    /** The offerer's RTX SSRC paired with {@code ssrc} by a=ssrc-group:FID, or {@link #NO_SSRC}. */
    public long remoteRtxSsrc(long ssrc) {
        for (SsrcGroup group : remoteSsrcGroups) {
            if (SsrcGroup.FID.equals(group.semantics()) && group.ssrcs().size() == 2 && group.ssrcs().get(0) == ssrc) {
                return group.ssrcs().get(1);
            }
        }
        return NO_SSRC;
    }
}
