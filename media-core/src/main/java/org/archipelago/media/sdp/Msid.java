package org.archipelago.media.sdp;

/**
 * An a=msid line (RFC 8830 §2): the MediaStream id and, optionally, the track id.
 *
 * @param streamId the stream id; {@code -} means the track belongs to no stream
 * @param trackId  the application data (track id), or null when the line has none
 */
public record Msid(String streamId, String trackId) {
    @Override
    public String toString() {
        return trackId == null ? streamId : streamId + " " + trackId;
    }
}
