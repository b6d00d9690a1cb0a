package org.archipelago.server.lesson;

import java.util.Locale;

/** Who a participant is in a lesson. */
public enum Role {
    /** One per room: publishes camera, microphone and screen; runs the lesson. */
    TEACHER,
    /** Many per room: a classroom's camera and microphone; receives the teacher. */
    CLASSROOM,
    /** Receive only (a principal, a recorder, a WHEP player). */
    OBSERVER;

    /** The name used in tokens and messages: {@code teacher}, {@code classroom}, {@code observer}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role with this wire name, or null. */
    public static Role fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        return null;
    }
}
