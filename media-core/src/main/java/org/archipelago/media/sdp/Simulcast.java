package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An a=simulcast line (RFC 8853 §5.1): {@code a=simulcast:send h;m;~l recv a,b}.
 *
 * <p>Each direction lists simulcast streams separated by {@code ;}; each stream lists alternative
 * rids separated by {@code ,}; a rid prefixed with {@code ~} starts paused.
 *
 * @param send    the streams the writer of the description sends, empty when it sends none
 * @param receive the streams the writer of the description receives, empty when it receives none
 */
public record Simulcast(List<Stream> send, List<Stream> receive) {
    public Simulcast {
        send = List.copyOf(send);
        receive = List.copyOf(receive);
    }

    /** One simulcast stream: one or more alternative rids (RFC 8853 §5.1 "alt-stream"). */
    public record Stream(List<Rid> alternatives) {
        public Stream {
            alternatives = List.copyOf(alternatives);
        }

        /** The first alternative's rid: the one an SFU maps the layer to. */
        public String firstRid() {
            return alternatives.get(0).id();
        }
    }

    /** One rid of a simulcast stream, and whether it is paused ({@code ~}). */
    public record Rid(String id, boolean paused) {
        @Override
        public String toString() {
            return paused ? "~" + id : id;
        }
    }

    /** All rid ids named in the given direction's list, in order. */
    public List<String> ridIds(StreamDirection direction) {
        List<String> ids = new ArrayList<>();
        for (Stream stream : direction == StreamDirection.SEND ? send : receive) {
            for (Rid rid : stream.alternatives()) {
                ids.add(rid.id());
            }
        }
        return ids;
    }

    String toSdpValue() {
        StringBuilder value = new StringBuilder();
        appendList(value, StreamDirection.SEND, send);
        appendList(value, StreamDirection.RECV, receive);
        return value.toString();
    }

    private static void appendList(StringBuilder value, StreamDirection direction, List<Stream> streams) {
        if (streams.isEmpty()) {
            return;
        }
        if (value.length() > 0) {
            value.append(' ');
        }
        value.append(direction.token()).append(' ');
        for (int i = 0; i < streams.size(); i++) {
            if (i > 0) {
                value.append(';');
            }
            List<Rid> alternatives = streams.get(i).alternatives();
            for (int j = 0; j < alternatives.size(); j++) {
                value.append(j == 0 ? "" : ",").append(alternatives.get(j));
            }
        }
    }
}
