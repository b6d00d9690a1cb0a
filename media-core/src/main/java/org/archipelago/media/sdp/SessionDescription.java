package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A session description (RFC 8866 §5): the session-level lines and the m= sections in order.
 *
 * <p>Parse one with {@link SdpParser#parse(String)}; write one with {@link #toSdp()}.
 *
 * @param origin          the o= line
 * @param sessionName     the s= line's text ({@code -} in WebRTC)
 * @param connection      the session-level c= line, or null
 * @param startTime       the first t= line's start time (0 in WebRTC)
 * @param stopTime        the first t= line's stop time (0 in WebRTC)
 * @param iceLite         a=ice-lite (RFC 8839 §5.3)
 * @param groups          a=group lines (RFC 5888), e.g. BUNDLE (RFC 8843)
 * @param iceUfrag        session-level a=ice-ufrag, or null
 * @param icePwd          session-level a=ice-pwd, or null
 * @param iceOptions      session-level a=ice-options tokens
 * @param fingerprints    session-level a=fingerprint lines (RFC 8122 §5)
 * @param setup           session-level a=setup, or null
 * @param direction       session-level direction attribute (RFC 8866 §6.7), or null
 * @param otherAttributes session-level attributes not interpreted here, in order
 * @param media           the m= sections in order
 */
public record SessionDescription(
        Origin origin, String sessionName, Connection connection, long startTime, long stopTime,
        boolean iceLite, List<Group> groups, String iceUfrag, String icePwd, List<String> iceOptions,
        List<Fingerprint> fingerprints, Setup setup, Direction direction, List<Attribute> otherAttributes,
        List<MediaDescription> media) {

    public SessionDescription {
        groups = List.copyOf(groups);
        iceOptions = List.copyOf(iceOptions);
        fingerprints = List.copyOf(fingerprints);
        otherAttributes = List.copyOf(otherAttributes);
        media = List.copyOf(media);
    }

    /** The description as SDP text with CRLF line endings (RFC 8866 §5). */
    public String toSdp() {
        return SdpWriter.write(this);
    }

    /** The first BUNDLE group (RFC 8843 §7), or null when there is none. */
    public Group bundleGroup() {
        for (Group group : groups) {
            if (Group.BUNDLE.equals(group.semantics())) {
                return group;
            }
        }
        return null;
    }

    /** The m= section with this mid, or null. */
    public MediaDescription media(String mid) {
        for (MediaDescription section : media) {
            if (mid.equals(section.mid())) {
                return section;
            }
        }
        return null;
    }

    /** The ICE username fragment that applies to {@code section}: its own, else the session's. */
    public String iceUfrag(MediaDescription section) {
        return section.iceUfrag() != null ? section.iceUfrag() : iceUfrag;
    }

    /** The ICE password that applies to {@code section}: its own, else the session's. */
    public String icePwd(MediaDescription section) {
        return section.icePwd() != null ? section.icePwd() : icePwd;
    }

    /** The fingerprints that apply to {@code section}: its own, else the session's (RFC 8122 §5). */
    public List<Fingerprint> fingerprints(MediaDescription section) {
        return section.fingerprints().isEmpty() ? fingerprints : section.fingerprints();
    }

    /** The setup role that applies to {@code section}: its own, else the session's, or null. */
    public Setup setup(MediaDescription section) {
        return section.setup() != null ? section.setup() : setup;
    }

    public Builder toBuilder() {
        Builder builder = new Builder(origin);
        builder.sessionName = sessionName;
        builder.connection = connection;
        builder.startTime = startTime;
        builder.stopTime = stopTime;
        builder.iceLite = iceLite;
        builder.groups.addAll(groups);
        builder.iceUfrag = iceUfrag;
        builder.icePwd = icePwd;
        builder.iceOptions.addAll(iceOptions);
        builder.fingerprints.addAll(fingerprints);
        builder.setup = setup;
        builder.direction = direction;
        builder.otherAttributes.addAll(otherAttributes);
        builder.media.addAll(media);
        return builder;
    }

    public static Builder builder(Origin origin) {
        return new Builder(origin);
    }

    /** Assembles a {@link SessionDescription}; lists are appended to, fields overwritten. */
    public static final class Builder {
        public Origin origin;
        public String sessionName = "-";
        public Connection connection;
        public long startTime;
        public long stopTime;
        public boolean iceLite;
        public final List<Group> groups = new ArrayList<>();
        public String iceUfrag;
        public String icePwd;
        public final List<String> iceOptions = new ArrayList<>();
        public final List<Fingerprint> fingerprints = new ArrayList<>();
        public Setup setup;
        public Direction direction;
        public final List<Attribute> otherAttributes = new ArrayList<>();
        public final List<MediaDescription> media = new ArrayList<>();

        private Builder(Origin origin) {
            this.origin = origin;
        }

        public SessionDescription build() {
            return new SessionDescription(origin, sessionName, connection, startTime, stopTime, iceLite, groups,
                    iceUfrag, icePwd, iceOptions, fingerprints, setup, direction, otherAttributes, media);
        }
    }
}
