package org.archipelago.server.lesson;

import java.util.Locale;

/**
 * What an m-section of a participant's offer is for (docs/signaling.md, "Media layout"): either
 * something the participant sends, or something it receives.
 */
public enum Purpose {
    // What a participant sends.
    MICROPHONE(true),
    CAMERA(true),
    SCREEN(true),
    // What a participant receives.
    /** The teacher's voice. */
    TEACHER_AUDIO(false),
    TEACHER_CAMERA(false),
    TEACHER_SCREEN(false),
    /** The classroom on stage. */
    STAGE_VIDEO(false),
    /** The classroom on stage, else the classroom with the floor. */
    STAGE_AUDIO(false),
    /** The teacher's view of one classroom (one slot). */
    CLASSROOM_VIDEO(false),
    CLASSROOM_AUDIO(false);

    private final boolean sent;

    Purpose(boolean sent) {
        this.sent = sent;
    }

    /** Whether the participant sends this (else it receives it). */
    public boolean isSent() {
        return sent;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The purpose with this wire name, or null. */
    public static Purpose fromWireName(String name) {
        for (Purpose purpose : values()) {
            if (purpose.wireName().equals(name)) {
                return purpose;
            }
        }
        return null;
    }
}
