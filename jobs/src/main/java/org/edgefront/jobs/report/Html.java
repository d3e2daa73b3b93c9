package org.edgefront.jobs.report;

/** Escaping for text and attribute values in the report's polyglot (HTML5 and well-formed XML) markup. Stateless. */
final class Html {
    private Html() {}

    /** Escapes {@code & < > " '} so any string is safe as element text or a quoted attribute value. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // control characters are not allowed in XML 1.0
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') b.append(' ');
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
