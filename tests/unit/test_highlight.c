/* Unit tests for tui/ui/highlight: each language's lexer on real-looking
 * snippets, rendered as text ("{K:def} {F:name}(...)"), the state carried
 * across lines, the span limit, and the span contract on long lines,
 * random bytes and any state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/util/strbuf.h"
#include "core/util/utf8.h"
#include "core/util/xalloc.h"
#include "tui/ui/highlight.h"
#include "tui/ui/highlight_int.h"

#define MAX_SPANS 512

/* The letter a class is rendered with; plain text is rendered as is. */
static const char letters[HL_CLASS_COUNT] = {
	[HL_KEYWORD] = 'K', [HL_TYPE] = 'T', [HL_FUNCTION] = 'F', [HL_STRING] = 'S',
	[HL_NUMBER] = 'N', [HL_COMMENT] = 'C', [HL_VARIABLE] = 'V', [HL_KEY] = 'Y',
	[HL_HEADER] = 'H', [HL_ADDED] = 'A', [HL_REMOVED] = 'R', [HL_ERROR] = 'E',
	[HL_WARN] = 'W',
};

/* What hl_line promises of the spans of line[0..len) (valid UTF-8 when
 * utf8): in order from 0 to len without gaps, none empty, at most max,
 * neighbours of different classes, none starting inside a character. */
static void check_spans(const char *line, size_t len, const struct hl_span *sp, size_t n,
			size_t max, bool utf8)
{
	size_t at = 0;
	assert_true(n <= max);
	if (max == 0 || len == 0) {
		assert_int_equal(n, 0);
		return;
	}
	assert_true(n > 0);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(sp[k].off, at);
		assert_true(sp[k].len > 0);
		assert_true((unsigned)sp[k].cls < HL_CLASS_COUNT);
		if (k > 0)
			assert_int_not_equal(sp[k].cls, sp[k - 1].cls);
		if (utf8)
			assert_int_not_equal((unsigned char)line[at] & 0xC0, 0x80);
		at += sp[k].len;
	}
	assert_int_equal(at, len);
}

static unsigned checked_line(enum hl_lang lang, unsigned state, const char *line, size_t len,
			     struct hl_span *out, size_t max, size_t *n)
{
	unsigned next = hl_line(lang, state, line, len, out, max, n);
	check_spans(line, len, out, *n, max, utf8_valid(line, len));
	return next;
}

/* text's lines in lang, the state carried from each to the next, each
 * span but plain ones as {letter:text}. */
static char *render(enum hl_lang lang, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	struct hl_span spans[MAX_SPANS];
	unsigned state = HL_STATE_START;
	for (const char *p = text;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), n;
		state = checked_line(lang, state, p, len, spans, MAX_SPANS, &n);
		for (size_t k = 0; k < n; k++) {
			const char *s = p + spans[k].off;
			if (letters[spans[k].cls])
				sb_printf(&sb, "{%c:%.*s}", letters[spans[k].cls], (int)spans[k].len, s);
			else
				sb_append(&sb, s, spans[k].len);
		}
		if (!nl)
			break;
		sb_putc(&sb, '\n');
		p = nl + 1;
	}
	return sb_detach(&sb, NULL);
}

static void expect(enum hl_lang lang, const char *text, const char *want)
{
	char *got = render(lang, text);
	assert_string_equal(got, want);
	free(got);
}

/* The state after text's lines. */
static unsigned state_after(enum hl_lang lang, const char *text)
{
	unsigned state = HL_STATE_START;
	for (const char *p = text;;) {
		const char *nl = strchr(p, '\n');
		size_t n;
		state = hl_line(lang, state, p, nl ? (size_t)(nl - p) : strlen(p), NULL, 0, &n);
		if (!nl)
			return state;
		p = nl + 1;
	}
}

static enum hl_lang lang_of(const char *info)
{
	return hl_lang_from_name(info, strlen(info));
}

static void info_strings_name_languages_with_aliases(void **state)
{
	(void)state;
	static const struct {
		const char *info;
		enum hl_lang lang;
	} cases[] = {
		{ "sh", HL_LANG_SHELL }, { "Bash", HL_LANG_SHELL }, { "ZSH", HL_LANG_SHELL },
		{ "shell", HL_LANG_SHELL }, { "console", HL_LANG_CONSOLE },
		{ "shell-session", HL_LANG_CONSOLE }, { "yaml", HL_LANG_YAML },
		{ "YML", HL_LANG_YAML }, { "json", HL_LANG_JSON }, { "jsonc", HL_LANG_JSON },
		{ "python", HL_LANG_PYTHON }, { "py", HL_LANG_PYTHON },
		{ "javascript", HL_LANG_JS }, { "js", HL_LANG_JS }, { "ts", HL_LANG_JS },
		{ "TypeScript", HL_LANG_JS }, { "jsx", HL_LANG_JS }, { "node", HL_LANG_JS },
		{ "mjs", HL_LANG_JS }, { "c", HL_LANG_C }, { "h", HL_LANG_C }, { "cpp", HL_LANG_C },
		{ "C++", HL_LANG_C }, { "sql", HL_LANG_SQL }, { "postgresql", HL_LANG_SQL },
		{ "sqlite", HL_LANG_SQL }, { "MySQL", HL_LANG_SQL }, { "ini", HL_LANG_INI },
		{ "toml", HL_LANG_INI }, { "conf", HL_LANG_INI }, { "cfg", HL_LANG_INI },
		{ "properties", HL_LANG_INI }, { "diff", HL_LANG_DIFF }, { "patch", HL_LANG_DIFF },
		{ "log", HL_LANG_LOG }, { "text", HL_LANG_LOG },
		/* the first word only */
		{ "python title=\"app.py\"", HL_LANG_PYTHON }, { "  yaml", HL_LANG_YAML },
		{ "js{1,3}", HL_LANG_JS }, { "py:app.py", HL_LANG_PYTHON }, { "sql,ignore", HL_LANG_SQL },
		/* nothing guessed */
		{ "", HL_LANG_NONE }, { "   ", HL_LANG_NONE }, { "rust", HL_LANG_NONE },
		{ "pythonx", HL_LANG_NONE }, { "{.python}", HL_LANG_NONE },
		{ "shell-session-with-a-very-long-name", HL_LANG_NONE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (lang_of(cases[i].info) != cases[i].lang)
			fail_msg("\"%s\": %d, want %d", cases[i].info, lang_of(cases[i].info),
				 cases[i].lang);
	}
	/* The info string is not NUL-terminated: its length counts. */
	assert_int_equal(hl_lang_from_name("shell", 2), HL_LANG_SHELL);
	assert_int_equal(hl_lang_from_name("pyx", 2), HL_LANG_PYTHON);
	assert_int_equal(hl_lang_from_name(NULL, 0), HL_LANG_NONE);
}

static void every_word_table_is_sorted_for_bsearch(void **state)
{
	(void)state;
	for (int lang = 0; lang < HL_LANG_COUNT; lang++) {
		const struct hl_lexer *lx = hl_lexer((enum hl_lang)lang);
		assert_true((lang == HL_LANG_NONE) == (lx == NULL));
		for (size_t i = 0; lx && i < lx->nwords; i++) {
			const char *w = lx->words[i].word;
			if (i > 0 && strcmp(lx->words[i - 1].word, w) >= 0)
				fail_msg("language %d: \"%s\" before \"%s\"", lang, lx->words[i - 1].word, w);
			for (const char *p = w; lx->fold && *p; p++)
				assert_false(*p >= 'A' && *p <= 'Z');
		}
	}
	assert_null(hl_lexer(HL_LANG_COUNT));
}

static void shell_commands_strings_variables_comments(void **state)
{
	(void)state;
	expect(HL_LANG_SHELL,
	       "systemctl restart nginx && journalctl -u nginx --since \"1 hour ago\" # check",
	       "{F:systemctl} restart nginx && {F:journalctl} -u nginx --since {S:\"1 hour ago\"} "
	       "{C:# check}");
	expect(HL_LANG_SHELL, "export PATH=\"$HOME/bin:$PATH\"",
	       "{T:export} {V:PATH}={S:\"}{V:$HOME}{S:/bin:}{V:$PATH}{S:\"}");
	expect(HL_LANG_SHELL, "for f in *.log; do gzip \"$f\"; done",
	       "{K:for} f {K:in} *.log; {K:do} {F:gzip} {S:\"}{V:$f}{S:\"}; {K:done}");
	expect(HL_LANG_SHELL, "if [ -f /etc/nginx/nginx.conf ]; then sudo nginx -t; fi",
	       "{K:if} {T:[} -f /etc/nginx/nginx.conf ]; {K:then} {F:sudo} {F:nginx} -t; {K:fi}");
	expect(HL_LANG_SHELL, "while [[ $n == 1 ]]; do n=2; done",
	       "{K:while} {T:[[} {V:$n} == 1 ]]; {K:do} {V:n}=2; {K:done}");
	expect(HL_LANG_SHELL, "echo ${#items[@]} $1 $? 'single $not' $(date +%s) a#b $'\\t'",
	       "{T:echo} {V:${#items[@]}} {V:$1} {V:$?} {S:'single $not'} {V:$(date +%s)} a#b "
	       "{S:$'\\t'}");
	expect(HL_LANG_SHELL, "LANG=C sort -u list.txt 2>&1 | tee /tmp/out",
	       "{V:LANG}=C {F:sort} -u list.txt 2>&1 | {F:tee} /tmp/out");
	expect(HL_LANG_SHELL, "case \"$1\" in\n  start) systemctl start app ;;\n  *) exit 2 ;;\nesac",
	       "{K:case} {S:\"}{V:$1}{S:\"} {K:in}\n  start) {F:systemctl} start app ;;\n"
	       "  *) {T:exit} 2 ;;\n{K:esac}");
	expect(HL_LANG_SHELL, "local name=\"$1\" count=0; kubectl get -o jsonpath='{.a}'",
	       "{T:local} {V:name}={S:\"}{V:$1}{S:\"} {V:count}=0; {F:kubectl} get -o jsonpath={S:'{.a}'}");
	expect(HL_LANG_SHELL, "deploy() { ./build.sh --release; }",
	       "{F:deploy}() {K:{} {F:./build.sh} --release; {K:}}");
}

static void shell_backslash_continues_the_command(void **state)
{
	(void)state;
	expect(HL_LANG_SHELL, "docker run \\\n  -e FOO=bar \\\n  nginx\nls",
	       "{F:docker} run \\\n  -e FOO=bar \\\n  nginx\n{F:ls}");
	expect(HL_LANG_SHELL, "export A=1 \\\n  B=2",
	       "{T:export} {V:A}=1 \\\n  B=2");
}

static void console_prompts_start_commands_and_output_is_plain(void **state)
{
	(void)state;
	expect(HL_LANG_CONSOLE,
	       "$ sudo systemctl status nginx\n"
	       "\xe2\x97\x8f nginx.service - A high performance web server\n"
	       "   Active: active (running) since Tue; 50% done\n"
	       "50% done\n"
	       "# apt-get install -y curl\n"
	       "user@host:~$ ls -la \\\n"
	       "  /var/log\n"
	       "[root@web1 ~]# whoami",
	       "$ {F:sudo} {F:systemctl} status nginx\n"
	       "\xe2\x97\x8f nginx.service - A high performance web server\n"
	       "   Active: active (running) since Tue; 50% done\n"
	       "50% done\n"
	       "# {F:apt-get} install -y curl\n"
	       "user@host:~$ {F:ls} -la \\\n"
	       "  /var/log\n"
	       "[root@web1 ~]# {F:whoami}");
}

static void yaml_keys_values_comments_lists_and_block_scalars(void **state)
{
	(void)state;
	expect(HL_LANG_YAML,
	       "# nginx deployment\n"
	       "apiVersion: apps/v1\n"
	       "metadata:\n"
	       "  name: \"web\"   # quoted\n"
	       "  labels: {app: web, tier: 'front'}\n"
	       "spec:\n"
	       "  replicas: 3\n"
	       "  paused: false\n"
	       "  image: nginx:1.25\n"
	       "  ports:\n"
	       "    - containerPort: 80\n"
	       "      protocol: TCP\n"
	       "    - 443\n"
	       "  env: &defaults\n"
	       "    - name: LOG_LEVEL\n"
	       "      value: ~\n"
	       "  args: [--verbose, \"--port=8080\"]\n"
	       "  script: |\n"
	       "    echo \"hello: world\"\n"
	       "\n"
	       "    exit 0\n"
	       "  after: *defaults\n"
	       "  tag: !!str 42\n"
	       "---",
	       "{C:# nginx deployment}\n"
	       "{Y:apiVersion}: {S:apps/v1}\n"
	       "{Y:metadata}:\n"
	       "  {Y:name}: {S:\"web\"}   {C:# quoted}\n"
	       "  {Y:labels}: {{Y:app}: {S:web}, {Y:tier}: {S:'front'}}\n"
	       "{Y:spec}:\n"
	       "  {Y:replicas}: {N:3}\n"
	       "  {Y:paused}: {K:false}\n"
	       "  {Y:image}: {S:nginx:1.25}\n"
	       "  {Y:ports}:\n"
	       "    - {Y:containerPort}: {N:80}\n"
	       "      {Y:protocol}: {S:TCP}\n"
	       "    - {N:443}\n"
	       "  {Y:env}: {V:&defaults}\n"
	       "    - {Y:name}: {S:LOG_LEVEL}\n"
	       "      {Y:value}: {K:~}\n"
	       "  {Y:args}: [{S:--verbose}, {S:\"--port=8080\"}]\n"
	       "  {Y:script}: |\n"
	       "    {S:echo \"hello: world\"}\n"
	       "\n"
	       "    {S:exit 0}\n"
	       "  {Y:after}: {V:*defaults}\n"
	       "  {Y:tag}: {T:!!str} {N:42}\n"
	       "{K:---}");
	expect(HL_LANG_YAML, "- \"quoted key\": 'it''s' # c\n- url: http://example.com/a#b",
	       "- {Y:\"quoted key\"}: {S:'it''s'} {C:# c}\n- {Y:url}: {S:http://example.com/a#b}");
}

static void json_keys_strings_numbers_and_words(void **state)
{
	(void)state;
	expect(HL_LANG_JSON,
	       "{\n"
	       "  \"name\": \"ragdeck\",\n"
	       "  \"ratio\": -0.5e-3,\n"
	       "  \"tags\": [\"a\", \"b\\\"c\"],\n"
	       "  \"nested\": {\"list\": [1, 2.5, [true, false, null]]},\n"
	       "  // comment\n"
	       "  /* block\n"
	       "     spans */ \"after\": 1\n"
	       "}",
	       "{\n"
	       "  {Y:\"name\"}: {S:\"ragdeck\"},\n"
	       "  {Y:\"ratio\"}: {N:-0.5e-3},\n"
	       "  {Y:\"tags\"}: [{S:\"a\"}, {S:\"b\\\"c\"}],\n"
	       "  {Y:\"nested\"}: {{Y:\"list\"}: [{N:1}, {N:2.5}, [{K:true}, {K:false}, {K:null}]]},\n"
	       "  {C:// comment}\n"
	       "  {C:/* block}\n"
	       "{C:     spans */} {Y:\"after\"}: {N:1}\n"
	       "}");
}

static void python_definitions_strings_and_docstrings(void **state)
{
	(void)state;
	expect(HL_LANG_PYTHON,
	       "@app.route(\"/users/<int:id>\")\n"
	       "def get_user(id: int) -> dict:\n"
	       "    \"\"\"Return one user.\n"
	       "\n"
	       "    Raises KeyError if missing.\n"
	       "    \"\"\"\n"
	       "    name = f\"user {id!r} {{literal}}\"\n"
	       "    if id is None or id > 0x1F:\n"
	       "        raise KeyError(id)  # not found\n"
	       "    return {'id': id, 'size': 1_000, 'r': rb'\\d+', 'x': obj.print(2.5e-3)}\n"
	       "\n"
	       "class Store(Base):\n"
	       "    pass",
	       "{F:@app.route}({S:\"/users/<int:id>\"})\n"
	       "{K:def} {F:get_user}(id: {T:int}) -> {T:dict}:\n"
	       "    {S:\"\"\"Return one user.}\n"
	       "\n"
	       "{S:    Raises KeyError if missing.}\n"
	       "{S:    \"\"\"}\n"
	       "    name = {S:f\"user }{V:{id!r}}{S: {{literal}}\"}\n"
	       "    {K:if} id {K:is} {K:None} {K:or} id > {N:0x1F}:\n"
	       "        {K:raise} {T:KeyError}(id)  {C:# not found}\n"
	       "    {K:return} {{S:'id'}: id, {S:'size'}: {N:1_000}, {S:'r'}: {S:rb'\\d+'}, "
	       "{S:'x'}: obj.{F:print}({N:2.5e-3})}\n"
	       "\n"
	       "{K:class} {T:Store}(Base):\n"
	       "    {K:pass}");
	expect(HL_LANG_PYTHON, "x = '''a\nb''' + f\"\"\"{y}\n{z}\"\"\"",
	       "x = {S:'''a}\n{S:b'''} + {S:f\"\"\"}{V:{y}}\n{V:{z}}{S:\"\"\"}");
}

static void javascript_arrows_templates_and_regexes(void **state)
{
	(void)state;
	expect(HL_LANG_JS,
	       "import { readFile } from 'node:fs/promises';\n"
	       "const add = (a, b) => a + b; // arrow\n"
	       "let msg = `Hello ${user.name}, you have ${count} new\n"
	       "messages and ${`nested`} more`;\n"
	       "const re = /ab+c\\/[/]/gi, half = total / 2;\n"
	       "async function load(url) {\n"
	       "  const res = await fetch(url);\n"
	       "  return res.json();\n"
	       "}",
	       "{K:import} { readFile } {K:from} {S:'node:fs/promises'};\n"
	       "{K:const} add = (a, b) => a + b; {C:// arrow}\n"
	       "{K:let} msg = {S:`Hello }{V:${user.name}}{S:, you have }{V:${count}}{S: new}\n"
	       "{S:messages and }{V:${`nested`}}{S: more`};\n"
	       "{K:const} re = {S:/ab+c\\/[/]/gi}, half = total / {N:2};\n"
	       "{K:async} {K:function} {F:load}(url) {\n"
	       "  {K:const} res = {K:await} {F:fetch}(url);\n"
	       "  {K:return} res.{F:json}();\n"
	       "}");
	expect(HL_LANG_JS, "interface User { id: number; tags?: string[] } // ts",
	       "{K:interface} User { id: {T:number}; tags?: {T:string}[] } {C:// ts}");
}

static void c_directives_comments_and_literals(void **state)
{
	(void)state;
	expect(HL_LANG_C,
	       "#include <stdio.h>\n"
	       "#include \"ragdeck.h\"\n"
	       "/* A block comment\n"
	       " * across three\n"
	       " * lines */\n"
	       "static const char *greet(size_t n, uint8_t flags)\n"
	       "{\n"
	       "\tprintf(\"say \\\"hi\\\" %zu\\n\", n); // done\n"
	       "\tchar c = '\\'';\n"
	       "\treturn n > 0x10u ? L\"wide\" : NULL;\n"
	       "}",
	       "{K:#include} {S:<stdio.h>}\n"
	       "{K:#include} {S:\"ragdeck.h\"}\n"
	       "{C:/* A block comment}\n"
	       "{C: * across three}\n"
	       "{C: * lines */}\n"
	       "{K:static} {K:const} {T:char} *{F:greet}({T:size_t} n, {T:uint8_t} flags)\n"
	       "{\n"
	       "\t{F:printf}({S:\"say \\\"hi\\\" %zu\\n\"}, n); {C:// done}\n"
	       "\t{T:char} c = {S:'\\''};\n"
	       "\t{K:return} n > {N:0x10u} ? {S:L\"wide\"} : {K:NULL};\n"
	       "}");
	expect(HL_LANG_C, "  #  define MAX(a, b) ((a) > (b) ? (a) : (b)) /* max */ x->if",
	       "  {K:#  define} {F:MAX}(a, b) ((a) > (b) ? (a) : (b)) {C:/* max */} x->if");
}

static void sql_keywords_any_case_strings_and_parameters(void **state)
{
	(void)state;
	expect(HL_LANG_SQL,
	       "-- active users\n"
	       "SELECT u.id, COUNT(*) AS n, 'it''s' AS quote\n"
	       "FROM users u JOIN orders o ON o.user_id = u.id\n"
	       "where u.created_at > now() - interval '7 days' and u.name = $1 /* param */\n"
	       "GROUP BY u.id HAVING n >= 10 ORDER BY n DESC LIMIT 5;\n"
	       "INSERT INTO \"select\" (id, body) VALUES (1, 'x'); /* multi\n"
	       "line */ SELECT x::int FROM t WHERE y = :name OR z = @var;",
	       "{C:-- active users}\n"
	       "{K:SELECT} u.id, {F:COUNT}(*) {K:AS} n, {S:'it''s'} {K:AS} quote\n"
	       "{K:FROM} users u {K:JOIN} orders o {K:ON} o.user_id = u.id\n"
	       "{K:where} u.created_at > {F:now}() - {T:interval} {S:'7 days'} {K:and} u.name = {V:$1} "
	       "{C:/* param */}\n"
	       "{K:GROUP} {K:BY} u.id {K:HAVING} n >= {N:10} {K:ORDER} {K:BY} n {K:DESC} {K:LIMIT} {N:5};\n"
	       "{K:INSERT} {K:INTO} \"select\" (id, body) {K:VALUES} ({N:1}, {S:'x'}); {C:/* multi}\n"
	       "{C:line */} {K:SELECT} x::{T:int} {K:FROM} t {K:WHERE} y = {V::name} {K:OR} z = {V:@var};");
}

static void ini_and_toml_sections_keys_values_comments(void **state)
{
	(void)state;
	expect(HL_LANG_INI,
	       "; global settings\n"
	       "[server]\n"
	       "host = \"0.0.0.0\"   # bind all\n"
	       "port=8080\n"
	       "debug = off\n"
	       "path = /var/lib/app ; where\n"
	       "skip-name-resolve\n"
	       "[[servers.alpha]]\n"
	       "ip = '10.0.0.1'\n"
	       "ports = [ 8001, -2 ]\n"
	       "names = [\n"
	       "  \"a\"\n"
	       "]\n"
	       "created = 1979-05-27T07:32:00Z\n"
	       "inline = { x = 1, y = true }\n"
	       "desc = \"\"\"\n"
	       "multi\n"
	       "line\"\"\" # after\n"
	       "[Service]\n"
	       "ExecStart=/usr/bin/app --flag\n"
	       "log.level: debug",
	       "{C:; global settings}\n"
	       "{H:[server]}\n"
	       "{Y:host} = {S:\"0.0.0.0\"}   {C:# bind all}\n"
	       "{Y:port}={N:8080}\n"
	       "{Y:debug} = {K:off}\n"
	       "{Y:path} = {S:/var/lib/app} {C:; where}\n"
	       "{Y:skip-name-resolve}\n"
	       "{H:[[servers.alpha]]}\n"
	       "{Y:ip} = {S:'10.0.0.1'}\n"
	       "{Y:ports} = [ {N:8001}, {N:-2} ]\n"
	       "{Y:names} = [\n"
	       "  {S:\"a\"}\n"
	       "]\n"
	       "{Y:created} = {N:1979-05-27T07:32:00Z}\n"
	       "{Y:inline} = { {Y:x} = {N:1}, {Y:y} = {K:true} }\n"
	       "{Y:desc} = {S:\"\"\"}\n"
	       "{S:multi}\n"
	       "{S:line\"\"\"} {C:# after}\n"
	       "{H:[Service]}\n"
	       "{Y:ExecStart}={S:/usr/bin/app --flag}\n"
	       "{Y:log.level}: {S:debug}");
}

static void diff_headers_hunks_added_and_removed_lines(void **state)
{
	(void)state;
	expect(HL_LANG_DIFF,
	       "diff --git a/app.py b/app.py\n"
	       "index 3b18e51..a9c2f07 100644\n"
	       "--- a/app.py\n"
	       "+++ b/app.py\n"
	       "@@ -1,4 +1,4 @@ def main():\n"
	       " import os\n"
	       "--- removed line that looks like a header\n"
	       "-old = 1\n"
	       "+new = 2\n"
	       "+++ added line that looks like a header\n"
	       " print(new)\n"
	       "\\ No newline at end of file\n"
	       "+stray after the hunk",
	       "{H:diff --git a/app.py b/app.py}\n"
	       "{H:index 3b18e51..a9c2f07 100644}\n"
	       "{H:--- a/app.py}\n"
	       "{H:+++ b/app.py}\n"
	       "{H:@@ -1,4 +1,4 @@} def main():\n"
	       " import os\n"
	       "{R:--- removed line that looks like a header}\n"
	       "{R:-old = 1}\n"
	       "{A:+new = 2}\n"
	       "{A:+++ added line that looks like a header}\n"
	       " print(new)\n"
	       "{C:\\ No newline at end of file}\n"
	       "{A:+stray after the hunk}");
	/* Hunks without counts, as answers often write them. */
	expect(HL_LANG_DIFF, "@@\n-a\n+b\n--- x\n@@ -3 +3,0 @@\n-gone\n+++ y",
	       "{H:@@}\n{R:-a}\n{A:+b}\n{H:--- x}\n{H:@@ -3 +3,0 @@}\n{R:-gone}\n{H:+++ y}");
}

static void log_lines_times_levels_keys_and_numbers(void **state)
{
	(void)state;
	expect(HL_LANG_LOG,
	       "2026-12-01T10:22:31Z ERROR auth: token expired for user=42 (retry 3)\n"
	       "2026-12-01 10:22:31,123 WARN [pool-1] slow query took 1534ms.\n"
	       "Dec  1 10:22:31 web1 sshd[812]: Accepted publickey from 10.0.0.7 port 52144\n"
	       "[error] upstream timed out connecting to \"http://127.0.0.1:8080\"\n"
	       "level=info msg=\"server started\" addr=0.0.0.0:443\n"
	       "Error: connection refused\n"
	       "INFO an error in lower case, v1.2 FATAL",
	       "{N:2026-12-01T10:22:31Z} {E:ERROR} auth: token expired for {Y:user}={N:42} (retry {N:3})\n"
	       "{N:2026-12-01} {N:10:22:31,123} {W:WARN} [pool-1] slow query took {N:1534ms}.\n"
	       "Dec  {N:1} {N:10:22:31} web1 sshd[{N:812}]: Accepted publickey from {N:10.0.0.7} port "
	       "{N:52144}\n"
	       "[{E:error}] upstream timed out connecting to {S:\"http://127.0.0.1:8080\"}\n"
	       "{Y:level}={K:info} {Y:msg}={S:\"server started\"} {Y:addr}={N:0.0.0.0:443}\n"
	       "{E:Error}: connection refused\n"
	       "{K:INFO} an error in lower case, v1.2 {E:FATAL}");
}

static void no_language_is_one_plain_span(void **state)
{
	(void)state;
	struct hl_span sp[4];
	size_t n;
	const char *line = "if (x) { return \"y\"; } // z";
	assert_int_equal(checked_line(HL_LANG_NONE, 7, line, strlen(line), sp, 4, &n), HL_STATE_START);
	assert_int_equal(n, 1);
	assert_int_equal(sp[0].cls, HL_PLAIN);
	assert_int_equal(sp[0].len, strlen(line));
}

static void unterminated_strings_end_with_their_line(void **state)
{
	(void)state;
	expect(HL_LANG_C, "printf(\"oops\nint x;", "{F:printf}({S:\"oops}\n{T:int} x;");
	expect(HL_LANG_JS, "f('abc\\\nlet y", "{F:f}({S:'abc\\}\n{K:let} y");
	expect(HL_LANG_SHELL, "echo \"abc\nls", "{T:echo} {S:\"abc}\n{F:ls}");
	expect(HL_LANG_PYTHON, "s = 'abc\nx", "s = {S:'abc}\nx");
	expect(HL_LANG_SQL, "SELECT 'abc\nFROM", "{K:SELECT} {S:'abc}\n{K:FROM}");
	expect(HL_LANG_JSON, "{\"k\n1", "{{S:\"k}\n{N:1}");
	expect(HL_LANG_YAML, "k: \"v\nx: 1", "{Y:k}: {S:\"v}\n{Y:x}: {N:1}");
	expect(HL_LANG_LOG, "msg=\"cut\nnext 1", "{Y:msg}={S:\"cut}\nnext {N:1}");
}

static void block_comments_carry_across_three_lines(void **state)
{
	(void)state;
	static const enum hl_lang langs[] = { HL_LANG_C, HL_LANG_JS, HL_LANG_SQL, HL_LANG_JSON };
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		expect(langs[i], "1 /* one\ntwo \"not a string\"\n\nthree */ 2",
		       "{N:1} {C:/* one}\n{C:two \"not a string\"}\n\n{C:three */} {N:2}");
		assert_int_not_equal(state_after(langs[i], "/* one\ntwo"), HL_STATE_START);
		assert_int_equal(state_after(langs[i], "/* one\ntwo */"), HL_STATE_START);
	}
}

static void empty_lines_keep_the_state(void **state)
{
	(void)state;
	for (int lang = 0; lang < HL_LANG_COUNT; lang++) {
		size_t n = 1;
		struct hl_span sp[2];
		hl_line((enum hl_lang)lang, HL_STATE_START, "", 0, sp, 2, &n);
		assert_int_equal(n, 0);
		hl_line((enum hl_lang)lang, HL_STATE_START, NULL, 0, sp, 2, &n);
		assert_int_equal(n, 0);
	}
	assert_int_equal(state_after(HL_LANG_C, "/*\n\n\n"), state_after(HL_LANG_C, "/*"));
	assert_int_equal(state_after(HL_LANG_PYTHON, "'''\n\n"), state_after(HL_LANG_PYTHON, "'''"));
	assert_int_equal(state_after(HL_LANG_JS, "`\n\n"), state_after(HL_LANG_JS, "`"));
	assert_int_equal(state_after(HL_LANG_YAML, "a: |\n\n"), state_after(HL_LANG_YAML, "a: |"));
	assert_int_equal(state_after(HL_LANG_INI, "a = '''\n\n"), state_after(HL_LANG_INI, "a = '''"));
}

/* Spans compared field by field (a struct's padding is not written). */
static void assert_same_spans(const struct hl_span *a, const struct hl_span *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(a[k].off, b[k].off);
		assert_int_equal(a[k].len, b[k].len);
		assert_int_equal(a[k].cls, b[k].cls);
	}
}

/* A line of many tokens: with max spans the first max - 1 are the full
 * line's, the last written is plain to the end, and the next line's state
 * is the same. */
static void the_span_limit_ends_with_one_plain_span(void **state)
{
	(void)state;
	const char *line = "int a = 1; char *b = \"x\"; /* c */ f(2); /* open";
	size_t len = strlen(line), full_n, n;
	struct hl_span full[MAX_SPANS], sp[MAX_SPANS];
	unsigned want = checked_line(HL_LANG_C, HL_STATE_START, line, len, full, MAX_SPANS, &full_n);
	assert_int_not_equal(want, HL_STATE_START);
	for (size_t max = 0; max <= full_n; max++) {
		assert_int_equal(checked_line(HL_LANG_C, HL_STATE_START, line, len, sp, max, &n), want);
		if (max == full_n) {
			assert_int_equal(n, full_n);
			assert_same_spans(sp, full, n);
			continue;
		}
		if (max == 0)
			continue;
		assert_true(n == max || n == max - 1);
		assert_same_spans(sp, full, n - 1);
		assert_int_equal(sp[n - 1].cls, HL_PLAIN);
		assert_int_equal(sp[n - 1].off + sp[n - 1].len, len);
	}
	/* "int" (type) then " a = " (plain) with two spans: the type, then the
	 * rest as plain. */
	assert_int_equal(checked_line(HL_LANG_C, HL_STATE_START, line, len, sp, 2, &n), want);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].cls, HL_TYPE);
	assert_int_equal(sp[0].len, 3);
}

/* One of each language's snippets of the tests above, and 100 KB lines
 * built from the pieces that start long scans (an unclosed bracket, a
 * regular expression that never closes, quotes). */
static void very_long_lines_keep_the_contract(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"/[", "${", "\"${", "'", "{{", "a: ", "@@ -1,2 +3,4 @@", "[x", "# ", "\\", "/*",
		"\"\"\"", "`${", "$(", "f\"{", "key=", "2026-01-01T00:00:00Z ", "- ", "0x1e+5",
		"\xc3\xa9", "\xe6\x97\xa5 ", "a ", "INFO ",
	};
	size_t len = 100 * 1024;
	char *line = xmalloc(len);
	struct hl_span *sp = xcalloc(MAX_SPANS, sizeof *sp);
	for (size_t p = 0; p < 2 * (sizeof pieces / sizeof pieces[0]); p++) {
		/* Each piece repeated, then after half a line of blanks (an
		 * indentation scanned again per token would show here). */
		const char *piece = pieces[p / 2];
		size_t plen = strlen(piece), used = p % 2 ? len / 2 : 0;
		memset(line, ' ', used);
		while (used + plen <= len) {
			memcpy(line + used, piece, plen);
			used += plen;
		}
		for (int lang = 0; lang < HL_LANG_COUNT; lang++) {
			size_t n;
			checked_line((enum hl_lang)lang, HL_STATE_START, line, used, sp, MAX_SPANS, &n);
			checked_line((enum hl_lang)lang, 1, line, used, sp, 3, &n);
		}
	}
	free(sp);
	free(line);
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random bytes, and random valid UTF-8 from ASCII punctuation and
 * multibyte characters, line after line with the state carried, through
 * every language and span limits from 0 to 8. */
static void random_bytes_keep_the_contract(void **state)
{
	(void)state;
	static const char *const atoms[] = {
		"\"", "'", "`", "/", "*", "#", "$", "{", "}", "(", "[", "]", ":", "=", "-", "+", "@",
		"\\", " ", "\t", "0", "x", "e", ".", "a", "if", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\"\"\"", "/*", "*/", "--", ";",
	};
	uint64_t seed = 0x9E3779B97F4A7C15u;
	char line[400];
	struct hl_span sp[8];
	for (int lang = 0; lang < HL_LANG_COUNT; lang++) {
		unsigned st = HL_STATE_START;
		for (int round = 0; round < 3000; round++) {
			size_t len = next_random(&seed) % sizeof line, n;
			bool utf8 = round % 2;
			if (utf8) {
				size_t used = 0;
				for (;;) {
					const char *a = atoms[next_random(&seed) % (sizeof atoms / sizeof atoms[0])];
					if (used + strlen(a) > len)
						break;
					memcpy(line + used, a, strlen(a));
					used += strlen(a);
				}
				len = used;
			} else {
				for (size_t i = 0; i < len; i++)
					line[i] = (char)next_random(&seed);
			}
			size_t max = next_random(&seed) % 9;
			st = checked_line((enum hl_lang)lang, st, line, len, sp, max, &n);
		}
	}
}

/* A state that no line returned (another language's, a stale cache) is
 * read as some state, never trusted. */
static void any_state_is_safe(void **state)
{
	(void)state;
	static const unsigned states[] = { 1, 2, 3, 7, 15, 0x10000, 0x1FFFF, 1u << 30,
					   (1u << 30) | 0x7FFF, 0x12345678, 0xFFFFFFFF };
	const char *line = "- a: \"b\" /* c */ # d";
	struct hl_span sp[16];
	size_t n;
	for (int lang = 0; lang < HL_LANG_COUNT; lang++)
		for (size_t s = 0; s < sizeof states / sizeof states[0]; s++)
			checked_line((enum hl_lang)lang, states[s], line, strlen(line), sp, 16, &n);
	checked_line(HL_LANG_COUNT, 0, line, strlen(line), sp, 16, &n);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_strings_name_languages_with_aliases),
		cmocka_unit_test(every_word_table_is_sorted_for_bsearch),
		cmocka_unit_test(shell_commands_strings_variables_comments),
		cmocka_unit_test(shell_backslash_continues_the_command),
		cmocka_unit_test(console_prompts_start_commands_and_output_is_plain),
		cmocka_unit_test(yaml_keys_values_comments_lists_and_block_scalars),
		cmocka_unit_test(json_keys_strings_numbers_and_words),
		cmocka_unit_test(python_definitions_strings_and_docstrings),
		cmocka_unit_test(javascript_arrows_templates_and_regexes),
		cmocka_unit_test(c_directives_comments_and_literals),
		cmocka_unit_test(sql_keywords_any_case_strings_and_parameters),
		cmocka_unit_test(ini_and_toml_sections_keys_values_comments),
		cmocka_unit_test(diff_headers_hunks_added_and_removed_lines),
		cmocka_unit_test(log_lines_times_levels_keys_and_numbers),
		cmocka_unit_test(no_language_is_one_plain_span),
		cmocka_unit_test(unterminated_strings_end_with_their_line),
		cmocka_unit_test(block_comments_carry_across_three_lines),
		cmocka_unit_test(empty_lines_keep_the_state),
		cmocka_unit_test(the_span_limit_ends_with_one_plain_span),
		cmocka_unit_test(very_long_lines_keep_the_contract),
		cmocka_unit_test(random_bytes_keep_the_contract),
		cmocka_unit_test(any_state_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
