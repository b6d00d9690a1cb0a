package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.HeaderExtension;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SsrcDescription;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tells which m-section of a BUNDLE group an incoming RTP packet belongs to.
 *
 * <p>RFC 8843 §9.2: by SSRC when the SSRC is known (announced in the offer's a=ssrc lines, or
 * learned before), else by the MID header extension (RFC 8843 §15), else by a payload type that only
 * one section uses. Browsers give every video section the same payload types (camera and screen
 * share both send VP8 as 96), so the payload type alone is not enough; the MID extension, which
 * they send until the SSRC is known, settles it. Once resolved, the SSRC is remembered, within
 * {@link #MAX_LEARNED_SSRCS}, so later packets cost one primitive map lookup.
 *
 * <p>Owned by the peer's event loop.
 */
final class IncomingStreamMap {
    /** SSRCs one peer may send: a few sections × simulcast layers × RTX, with room to spare. */
    static final int MAX_LEARNED_SSRCS = 64;

    private final List<NegotiatedMedia> media;
    private final IntObjectHashMap<NegotiatedMedia> bySsrc = new IntObjectHashMap<>();
    /** Per payload type: the one section using it, or null when none or several do. */
    private final NegotiatedMedia[] uniqueByPayloadType = new NegotiatedMedia[128];
    private final byte[][] midBytes;
    /** The MID extension id (the same in every section of a bundle, RFC 8843 §9.1), or 0. */
    private final int midExtensionId;
    private long ssrcsRefused;

    IncomingStreamMap(List<NegotiatedMedia> media) {
        this.media = List.copyOf(media);
        this.midBytes = new byte[this.media.size()][];
        boolean[] shared = new boolean[128];
        int midId = NegotiatedMedia.NO_EXTENSION;
        for (int i = 0; i < this.media.size(); i++) {
            NegotiatedMedia section = this.media.get(i);
            midBytes[i] = section.mid().getBytes(StandardCharsets.UTF_8);
            for (Codec codec : section.codecs()) {
                int pt = codec.payloadType();
                if (uniqueByPayloadType[pt] != null && uniqueByPayloadType[pt] != section) {
                    shared[pt] = true;
                }
                uniqueByPayloadType[pt] = section;
            }
            for (SsrcDescription ssrc : section.remoteSsrcs()) {
                learn(ssrc.ssrc(), section);
            }
            int id = section.headerExtensionId(HeaderExtension.SDES_MID);
            if (id != NegotiatedMedia.NO_EXTENSION) {
                midId = id;
            }
        }
        for (int pt = 0; pt < 128; pt++) {
            if (shared[pt]) {
                uniqueByPayloadType[pt] = null;
            }
        }
        this.midExtensionId = midId;
    }

    /** The section {@code packet} belongs to, or null when it cannot be told (the caller counts). */
    NegotiatedMedia resolve(RtpPacket packet) {
        int ssrc = (int) packet.ssrc();
        NegotiatedMedia section = bySsrc.get(ssrc);
        if (section != null) {
            return section;
        }
        section = byMid(packet);
        if (section == null) {
            section = uniqueByPayloadType[packet.payloadType()];
        }
        if (section != null && section.codec(packet.payloadType()) != null) {
            learn(packet.ssrc(), section);
            return section;
        }
        return null;
    }

    private NegotiatedMedia byMid(RtpPacket packet) {
        if (midExtensionId == NegotiatedMedia.NO_EXTENSION) {
            return null;
        }
        int offset = packet.extensionOffset(midExtensionId);
        if (offset == RtpPacket.NOT_FOUND) {
            return null;
        }
        int length = packet.extensionLength(midExtensionId);
        ByteBuf buffer = packet.buffer();
        for (int i = 0; i < midBytes.length; i++) {
            if (equalBytes(buffer, offset, length, midBytes[i])) {
                return media.get(i);
            }
        }
        return null;
    }

    private static boolean equalBytes(ByteBuf buffer, int offset, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buffer.getByte(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private void learn(long ssrc, NegotiatedMedia section) {
        if (bySsrc.size() >= MAX_LEARNED_SSRCS) {
            ssrcsRefused++;
            return;
        }
        bySsrc.put((int) ssrc, section);
    }

    /** SSRCs not remembered because the table was full (they still resolve, more slowly). */
    long ssrcsRefused() {
        return ssrcsRefused;
    }

    int knownSsrcCount() {
        return bySsrc.size();
    }
}
