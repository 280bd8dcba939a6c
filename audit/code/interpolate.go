package code

import "strings"

// skipHole returns the offset just past the } that closes an
// interpolation hole whose body starts at i, such as the expression of
// ${...} in a JavaScript template or {...} in a C# or Python string.
// Strings inside the hole are skipped with their escapes, and a template
// inside it with its own holes. It returns -1 when the source ends first.
func skipHole(src string, i int) int {
	depth := 1
	for i < len(src) {
		switch c := src[i]; c {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '\'', '"':
			i = skipSimpleString(src, i+1, c)
			continue
		case '`':
			end := skipTemplate(src, i+1)
			if end < 0 {
				return -1
			}
			i = end
			continue
		}
		i++
	}
	return -1
}

// skipSimpleString returns the offset past the closing quote q of a string
// whose body starts at i, or past the line end when the line ends first.
func skipSimpleString(src string, i int, q byte) int {
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case q:
			return i + 1
		case '\n':
			return i
		}
		i++
	}
	return len(src)
}

// skipTemplate returns the offset past the backtick that closes a
// JavaScript template literal whose body starts at i, or -1 when the
// source ends first.
func skipTemplate(src string, i int) int {
	for i < len(src) {
		switch {
		case src[i] == '\\':
			i += 2
		case src[i] == '`':
			return i + 1
		case strings.HasPrefix(src[i:], "${"):
			end := skipHole(src, i+2)
			if end < 0 {
				return -1
			}
			i = end
		default:
			i++
		}
	}
	return -1
}
