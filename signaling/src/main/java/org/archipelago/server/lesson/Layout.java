package org.archipelago.server.lesson;

import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpAnswer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each m-section of a participant's offer is for: by mid, what the participant sends on it
 * and what it receives on it (either may be absent).
 */
public final class Layout {
    /** More sections than any page offers (the teacher page: 3 + 2 per classroom slot). */
    public static final int MAX_SECTIONS = 40;

    /** One m-section's use. */
    public record Section(String mid, Purpose send, Purpose receive) {
    }

    private final Map<String, Section> byMid;

    private Layout(Map<String, Section> byMid) {
        this.byMid = Collections.unmodifiableMap(byMid);
    }

    /** Builds a layout; the caller validated purposes' directions. */
    public static Layout of(List<Section> sections) {
        Map<String, Section> byMid = new LinkedHashMap<>();
        for (Section section : sections) {
            byMid.put(section.mid(), section);
        }
        return new Layout(byMid);
    }

    /**
     * The layout of a client that did not say (WHIP, WHEP): its first audio section carries its
     * microphone and the teacher's voice, its first video section its camera and the teacher's
     * camera, as far as the directions allow.
     */
    public static Layout implicit(SdpAnswer answer) {
        Map<String, Section> byMid = new LinkedHashMap<>();
        boolean audio = false;
        boolean video = false;
        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            if (media.kind() == MediaKind.AUDIO && !audio) {
                audio = true;
                byMid.put(media.mid(), new Section(media.mid(), Purpose.MICROPHONE, Purpose.TEACHER_AUDIO));
            } else if (media.kind() == MediaKind.VIDEO && !video) {
                video = true;
                byMid.put(media.mid(), new Section(media.mid(), Purpose.CAMERA, Purpose.TEACHER_CAMERA));
            }
        }
        return new Layout(byMid);
    }

    public Section section(String mid) {
        return byMid.get(mid);
    }

    public Iterable<Section> sections() {
        return byMid.values();
    }
}
