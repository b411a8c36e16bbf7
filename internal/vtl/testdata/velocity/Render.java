// Render.java renders a corpus of Velocity templates with Apache Velocity 1.7
// and prints the results, for the differential test in internal/vtl.
//
// Usage: java -cp velocity.jar:commons-collections3.jar:commons-lang.jar Render.java corpus.json
//
// corpus.json is a JSON array of {"name": ..., "template": ..., "context": {...}}.
// Output, per case: "### <name> OK <byteLength>\n<output bytes>\n" or
// "### <name> ERR 0\n\n" when Velocity throws.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

public class Render {
    public static void main(String[] args) throws Exception {
        String src = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
        Object corpus = new Json(src).parse();
        VelocityEngine ve = new VelocityEngine();
        ve.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        ve.init();
        OutputStream out = new BufferedOutputStream(System.out);
        for (Object o : (List<?>) corpus) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            String tpl = (String) c.get("template");
            VelocityContext ctx = new VelocityContext();
            Object cv = c.get("context");
            if (cv instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) cv).entrySet()) {
                    if (e.getValue() != null) ctx.put((String) e.getKey(), e.getValue());
                }
            }
            byte[] res;
            String status = "OK";
            try {
                StringWriter sw = new StringWriter();
                ve.evaluate(ctx, sw, name, tpl);
                res = sw.toString().getBytes(StandardCharsets.UTF_8);
            } catch (Throwable t) {
                status = "ERR";
                res = new byte[0];
            }
            out.write(("### " + name + " " + status + " " + res.length + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(res);
            out.write('\n');
        }
        out.flush();
    }

    // Json is a minimal JSON parser: objects become LinkedHashMap, arrays
    // ArrayList, integers Integer (Long if too large), other numbers Double.
    static final class Json {
        final String s;
        int i;
        Json(String s) { this.s = s; }
        Object parse() { ws(); Object v = value(); ws(); return v; }
        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        Object value() {
            ws();
            char ch = s.charAt(i);
            if (ch == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws(); String k = str(); ws(); i++; // ':'
                    m.put(k, value()); ws();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (ch == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value()); ws();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (ch == '"') return str();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String num = s.substring(st, i);
            if (num.contains(".") || num.contains("e") || num.contains("E")) return Double.valueOf(num);
            long l = Long.parseLong(num);
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return Integer.valueOf((int) l);
            return Long.valueOf(l);
        }
        String str() {
            StringBuilder b = new StringBuilder();
            i++;
            while (true) {
                char ch = s.charAt(i++);
                if (ch == '"') return b.toString();
                if (ch == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 't': b.append('\t'); break;
                        case 'r': b.append('\r'); break;
                        case 'b': b.append('\b'); break;
                        case 'f': b.append('\f'); break;
                        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                        default: b.append(e);
                    }
                } else b.append(ch);
            }
        }
    }
}
