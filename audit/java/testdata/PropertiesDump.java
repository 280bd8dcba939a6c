// Loads each file named on the command line with java.util.Properties and
// prints "file NAME", then one "KEY VALUE" line per property in key order.
// Keys and values are escaped: every character outside printable ASCII,
// the backslash and the blank become a backslash, "u" and four hex digits.
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Properties;
import java.util.TreeSet;

public class PropertiesDump {
    public static void main(String[] args) throws Exception {
        for (String name : args) {
            Properties props = new Properties();
            try (InputStream in = new FileInputStream(name)) {
                props.load(in);
                System.out.println("file " + name);
                for (String key : new TreeSet<>(props.stringPropertyNames())) {
                    System.out.println(escape(key) + " " + escape(props.getProperty(key)));
                }
            } catch (IllegalArgumentException e) {
                System.out.println("file " + name);
                System.out.println("error " + escape(e.getMessage()));
            }
        }
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c > 0x20 && c < 0x7f && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
