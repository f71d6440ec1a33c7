package chat.ingest.domain;

import java.util.regex.Pattern;

/**
 * What counts as a reaction: a shortcode name ({@code thumbsup}, {@code +1}, {@code party_parrot};
 * {@code [a-z0-9_+-]{1,32}}) or one Unicode emoji sequence of at most 10 code points (emoji,
 * modifiers, variation selector 16, zero-width joiners, keycaps, tags).
 */
public final class Emoji {
    private static final Pattern SHORTCODE = Pattern.compile("[a-z0-9_+-]{1,32}");

    private Emoji() {
    }

    public static boolean isValid(final String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        if (SHORTCODE.matcher(value).matches()) {
            return true;
        }
        final int[] cps = value.codePoints().toArray();
        if (cps.length > 10) {
            return false;
        }
        boolean pictographic = false;
        for (int cp : cps) {
            if (Character.isExtendedPictographic(cp) || Character.isEmojiPresentation(cp)) {
                pictographic = true;
            } else if (!(Character.isEmojiComponent(cp) || Character.isEmojiModifier(cp) || cp == 0xFE0F || cp == 0x200D
                    || (cp >= 0xE0020 && cp <= 0xE007F))) {
                return false;
            }
        }
        return pictographic;
    }
}
