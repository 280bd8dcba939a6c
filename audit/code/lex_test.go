package code

import "testing"

// TestLexerRecovers checks that each tokenizer is back in code after a
// construct that is hard to lex: every snippet has one pin after it, which
// must hit once, and traps before it, which must not.
func TestLexerRecovers(t *testing.T) {
	tests := []struct{ name, file, text string }{
		{"java char and escaped quotes", "A.java", "char c = '\\''; String s = \"\\\"TLSv1\\\"\";\nSSLContext.getInstance(\"TLSv1\");\n"},
		{"java text block with quotes", "A.java", "String s = \"\"\"\n  a \" b \"\" c SSLContext.getInstance(\"TLSv1\")\n  \"\"\";\nSSLContext.getInstance(\"TLSv1\");\n"},
		{"csharp verbatim doubled quote", "A.cs", "var s = @\"a \"\" SslProtocols.Tls b\";\nServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;\n"},
		{"csharp interpolation with strings", "A.cs", "var s = $\"{(x ? \"}\" : \"{\")} SslProtocols.Tls\";\nServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;\n"},
		{"csharp raw interpolated", "A.cs", "var s = $$\"\"\"{{x}} \" SslProtocols.Tls \"\"\";\nServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;\n"},
		{"csharp char quote", "A.cs", "var c = '\"';\nServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;\n"},
		{"csharp verbatim identifier", "A.cs", "var @class = 1;\nvar h = new HttpClientHandler { SslProtocols = SslProtocols.Tls11 };\n"},
		{"js regex with quote", "a.js", "const re = /'[/]'/g;\nconst o = { minVersion: 'TLSv1' };\n"},
		{"js division", "a.js", "const a = x / 2 / y;\nconst o = { minVersion: 'TLSv1' };\n"},
		{"js nested template", "a.js", "const t = `${'`'} ${`minVersion: 'TLSv1' ${\"}\"}`}`;\nconst o = { minVersion: 'TLSv1' };\n"},
		{"js object in template hole", "a.js", "const t = `a ${ {a: '}'}.a } b`;\ntls.connect({ maxVersion: 'TLSv1.1' });\n"},
		{"ts type annotations", "a.ts", "const o: { minVersion: string } = { minVersion: 'TLSv1' as const };\n"},
		{"python nested f-string quotes", "a.py", "s = f\"{x[\"a\"]} ssl.PROTOCOL_TLSv1\"\nctx.minimum_version = ssl.TLSVersion.TLSv1\n"},
		{"python raw string escaped quote", "a.py", "s = r'\\'' + 'ssl.PROTOCOL_TLSv1'\nssl.SSLContext(ssl.PROTOCOL_TLSv1)\n"},
		{"python triple quote with quotes", "a.py", "s = \"\"\"a \" b '' ssl.PROTOCOL_TLSv1 c\"\"\"\nssl.SSLContext(ssl.PROTOCOL_TLSv1)\n"},
		{"python continued call", "a.py", "pool = PoolManager(\n    num_pools=1,\n    ssl_version=ssl.PROTOCOL_TLSv1)\n"},
		{"ruby nested percent literal", "a.rb", "s = %q(a (b) ssl_version = :TLSv1 c)\nhttp.ssl_version = :TLSv1\n"},
		{"ruby ternary colon", "a.rb", "x = a ? b :c\nhttp.ssl_version = :TLSv1\n"},
		{"ruby two heredocs", "a.rb", "s = <<~A + <<-B\n  ssl_version = :TLSv1\nA\n  b\n  B\nhttp.ssl_version = :TLSv1\n"},
		{"ruby interpolation with quote", "a.rb", "s = \"#{\"}\"} ssl_version = :TLSv1\"\nhttp.ssl_version = :TLSv1\n"},
		{"ruby modulo", "a.rb", "x = 10 % 3\nhttp.ssl_version = :TLSv1\n"},
		{"php close tag in comment", "a.php", "<?php // comment ?> <b>'</b> <?php\ncurl_setopt($ch, CURLOPT_SSLVERSION, 5);\n"},
		{"php hash comment with quote", "a.php", "<?php $a = \"it's\"; # don't\ncurl_setopt($ch, CURLOPT_SSLVERSION, CURL_SSLVERSION_MAX_TLSv1_0);\n"},
		{"php short echo tag", "a.php", "<p><?= $x ?>'</p><?PHP\n$o = ['crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT];\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			listeners := auditFile(t, writeFile(t, tc.file, tc.text))
			if len(listeners) != 1 {
				for _, l := range listeners {
					t.Logf("got line %d %s", l.Line, l.Name)
				}
				t.Fatalf("got %d listeners, want 1", len(listeners))
			}
		})
	}
}
