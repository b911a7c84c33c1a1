/* Two helpers for the PubMed parser (parse.py), where CPython's own tools cost too much per record.
 *
 * drop_whitespace: drops the indentation of a record (whitespace-only text inside container elements) before
 * it is parsed. Indented XML (today's EFetch answers, one element a line) gives expat a data callback per
 * newline and per indentation run, and ElementTree a str, a list and a join for each: +30% parse time over
 * the same records written compactly. Every way of removing it in Python makes an object per line, which
 * costs as much as it saves. Here it is one pass over the bytes, with memchr between tags.
 *
 * What is dropped, exactly: a text node made only of XML whitespace (space, tab, CR, LF) whose parent and
 * every ancestor within the fragment are "containers", names set once by set_containers(): elements whose
 * text and tails no record builder reads, directly or through itertext() of an ancestor. Such text cannot
 * change a record, and removing whitespace between two tags never makes a document well-formed or
 * malformed. Anything this scanner does not fully understand (a comment, CDATA, a processing instruction,
 * a DOCTYPE, an unterminated tag or quote, a mismatched end tag, nesting deeper than MAX_DEPTH) returns the
 * input unchanged, for the XML parser to handle as before. Also returned: the number of newlines dropped, so
 * that the caller can keep counting lines (for error messages) without scanning the input again.
 *
 * find: bytes.find(sub, start, end) by the C library's memmem. CPython 3.11 searches for a short needle at
 * ~2 GB/s; glibc's memmem at 5-7 GB/s, and the parser looks for each record's end tag and for a
 * ReferenceList in every record (~12 KB each). memmem is in glibc, musl, macOS and the BSDs; where the C library
 * lacks it (Windows), this optional extension does not build and littrack runs without it.
 */
#define _GNU_SOURCE /* memmem */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 256
#define TABLE_SIZE 512 /* power of two, well over twice the number of container names */
#define MAX_NAME 64
#define EIGHT_SPACES 0x2020202020202020ULL

typedef struct {
    char name[MAX_NAME];
    Py_ssize_t len; /* 0: empty slot */
} Slot;

static Slot table[TABLE_SIZE];
static int configured = 0;

/* Length and three bytes: enough to tell PubMed's names apart (a collision costs one more probe). */
static inline size_t
hash_name(const char *s, Py_ssize_t n)
{
    uint32_t h = (uint32_t)n * 0x9E3779B1u;
    h ^= (uint32_t)(unsigned char)s[0] << 16 | (uint32_t)(unsigned char)s[n / 2] << 8 | (unsigned char)s[n - 1];
    return (size_t)((h * 0x85EBCA6Bu) >> 23);
}

static inline int
is_container(const char *s, Py_ssize_t n)
{
    if (n >= MAX_NAME) {
        return 0;
    }
    size_t at = hash_name(s, n) & (TABLE_SIZE - 1);
    while (table[at].len) {
        if (table[at].len == n && memcmp(table[at].name, s, (size_t)n) == 0) {
            return 1;
        }
        at = (at + 1) & (TABLE_SIZE - 1);
    }
    return 0;
}

/* Byte classes. Every bytes object ends with a NUL byte past its length, so loops that stop at an
 * END_NAME or SPECIAL byte need no bounds check: NUL is both. */
enum { SPACE = 1, END_NAME = 2, SPECIAL = 4 };
static unsigned char classes[256];

static void
init_classes(void)
{
    classes[' '] = classes['\t'] = classes['\r'] = classes['\n'] = SPACE | END_NAME;
    classes['/'] = classes['>'] = END_NAME | SPECIAL;
    classes['<'] = classes['\0'] = END_NAME | SPECIAL;
    classes['"'] = classes['\''] = SPECIAL;
}

static PyObject *
set_containers(PyObject *Py_UNUSED(module), PyObject *names)
{
    PyObject *iterator = PyObject_GetIter(names);
    if (iterator == NULL) {
        return NULL;
    }
    Slot fresh[TABLE_SIZE];
    memset(fresh, 0, sizeof fresh);
    int count = 0;
    PyObject *item;
    while ((item = PyIter_Next(iterator)) != NULL) {
        Py_ssize_t n;
        const char *s = PyUnicode_Check(item) ? PyUnicode_AsUTF8AndSize(item, &n) : NULL;
        if (s == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "container names must be str");
            }
            Py_DECREF(item);
            Py_DECREF(iterator);
            return NULL;
        }
        if (n == 0 || n >= MAX_NAME || ++count > TABLE_SIZE / 2) {
            PyErr_Format(PyExc_ValueError, "container name %R: empty, too long or too many names", item);
            Py_DECREF(item);
            Py_DECREF(iterator);
            return NULL;
        }
        size_t at = hash_name(s, n) & (TABLE_SIZE - 1);
        while (fresh[at].len && !(fresh[at].len == n && memcmp(fresh[at].name, s, (size_t)n) == 0)) {
            at = (at + 1) & (TABLE_SIZE - 1);
        }
        memcpy(fresh[at].name, s, (size_t)n);
        fresh[at].len = n;
        Py_DECREF(item);
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred()) {
        return NULL;
    }
    memcpy(table, fresh, sizeof table);
    configured = 1;
    Py_RETURN_NONE;
}

static PyObject *
drop_whitespace(PyObject *Py_UNUSED(module), PyObject *arg)
{
    if (!PyBytes_CheckExact(arg)) {
        PyErr_Format(PyExc_TypeError, "drop_whitespace() takes bytes, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "set_containers() must be called first");
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(arg);
    const Py_ssize_t n = PyBytes_GET_SIZE(arg);
    if (memchr(s, '\n', (size_t)n) == NULL) {
        return Py_BuildValue("(Oi)", arg, 0); /* compact XML: no indentation to drop */
    }

    const unsigned char *names[MAX_DEPTH];
    Py_ssize_t lens[MAX_DEPTH];
    unsigned char droppable[MAX_DEPTH]; /* the element and all its ancestors are containers */
    int depth = 0;

    PyObject *result = NULL; /* made at the first drop */
    char *out = NULL;
    Py_ssize_t written = 0, copied = 0; /* bytes in out; input bytes before `copied` are dealt with */
    Py_ssize_t newlines = 0;            /* in the dropped text */
    Py_ssize_t i = 0;                   /* the start of the text before the next tag */

    for (;;) {
        /* The text before the next tag: usually none (compact) or indentation, which is read here byte by
         * byte (8 spaces at a time); memchr only for real text. s[n] is NUL: the loop stops there. */
        Py_ssize_t k = i, lines = 0;
        for (;;) {
            uint64_t word;
            if (k + 8 <= n && (memcpy(&word, s + k, 8), word == EIGHT_SPACES)) {
                k += 8;
            }
            else if (classes[s[k]] & SPACE) {
                lines += s[k] == '\n';
                k++;
            }
            else {
                break;
            }
        }
        Py_ssize_t t = k;
        if (s[k] != '<') {
            const unsigned char *lt = memchr(s + k, '<', (size_t)(n - k));
            if (lt == NULL) {
                break;
            }
            t = lt - s;
        }
        else if (k > i && depth > 0 && droppable[depth - 1]) { /* whitespace-only text in a container */
            if (result == NULL) {
                result = PyBytes_FromStringAndSize(NULL, n);
                if (result == NULL) {
                    return NULL;
                }
                out = PyBytes_AS_STRING(result);
            }
            memcpy(out + written, s + copied, (size_t)(i - copied));
            written += i - copied;
            copied = t;
            newlines += lines;
        }
        Py_ssize_t p = t + 1;
        if (s[p] == '/') { /* end tag: </name S? >, name that of the element open */
            p++;
            if (depth == 0) {
                goto unchanged;
            }
            Py_ssize_t len = lens[depth - 1];
            if (p + len > n || memcmp(names[depth - 1], s + p, (size_t)len) != 0) {
                goto unchanged;
            }
            p += len;
            while (classes[s[p]] & SPACE) {
                p++;
            }
            if (s[p] != '>') { /* also a longer name with the same start */
                goto unchanged;
            }
            depth--;
        }
        else if (s[p] == '!' || s[p] == '?') { /* comment, CDATA, DOCTYPE, PI: left to the XML parser */
            goto unchanged;
        }
        else { /* start or empty-element tag: <name (S attr = "value")* S? /?> */
            Py_ssize_t start = p;
            while (!(classes[s[p]] & END_NAME)) {
                p++;
            }
            Py_ssize_t len = p - start;
            if (len == 0) {
                goto unchanged;
            }
            /* To the '>' that ends the tag, past quoted values (which may hold '>' and '/'). */
            int empty = 0;
            for (;;) {
                while (!(classes[s[p]] & SPECIAL)) {
                    p++;
                }
                unsigned char c = s[p];
                if (c == '>') {
                    break;
                }
                if (c == '"' || c == '\'') {
                    const unsigned char *close = memchr(s + p + 1, c, (size_t)(n - p - 1));
                    if (close == NULL) {
                        goto unchanged;
                    }
                    p = close - s + 1;
                    empty = 0;
                }
                else if (c == '/') {
                    empty = s[p + 1] == '>';
                    p++;
                }
                else { /* '<' or the end of the data */
                    goto unchanged;
                }
            }
            if (!empty) {
                if (depth == MAX_DEPTH) {
                    goto unchanged;
                }
                names[depth] = s + start;
                lens[depth] = len;
                droppable[depth] = (depth == 0 || droppable[depth - 1]) && is_container((const char *)s + start, len);
                depth++;
            }
        }
        i = p + 1;
    }
    if (result == NULL) {
        return Py_BuildValue("(Oi)", arg, 0);
    }
    memcpy(out + written, s + copied, (size_t)(n - copied));
    written += n - copied;
    if (_PyBytes_Resize(&result, written) < 0) {
        return NULL;
    }
    return Py_BuildValue("(Nn)", result, newlines);

unchanged:
    Py_XDECREF(result);
    return Py_BuildValue("(Oi)", arg, 0);
}

static PyObject *
find(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    if (nargs < 2 || nargs > 4 || !PyBytes_CheckExact(args[0]) || !PyBytes_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "find() takes (data: bytes, sub: bytes[, start: int[, end: int]])");
        return NULL;
    }
    if (nargs > 2 && (start = PyLong_AsSsize_t(args[2])) == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (nargs > 3 && (end = PyLong_AsSsize_t(args[3])) == -1 && PyErr_Occurred()) {
        return NULL;
    }
    const char *data = PyBytes_AS_STRING(args[0]);
    const Py_ssize_t n = PyBytes_GET_SIZE(args[0]), m = PyBytes_GET_SIZE(args[1]);
    /* Bounds as bytes.find takes them: negative ones count from the end, then clipped. */
    if (end > n) {
        end = n;
    }
    else if (end < 0 && (end += n) < 0) {
        end = 0;
    }
    if (start < 0 && (start += n) < 0) {
        start = 0;
    }
    if (start > n || end - start < m) {
        return PyLong_FromLong(-1);
    }
    const char *at = memmem(data + start, (size_t)(end - start), PyBytes_AS_STRING(args[1]), (size_t)m);
    return PyLong_FromSsize_t(at == NULL ? -1 : at - data);
}

static PyMethodDef methods[] = {
    {"set_containers", set_containers, METH_O,
     "set_containers(names)\n--\n\nThe element names (str) inside which whitespace-only text is dropped."},
    {"drop_whitespace", drop_whitespace, METH_O,
     "drop_whitespace(data)\n--\n\n(data without the whitespace-only text of container elements, the newlines "
     "dropped); (data, 0) when nothing is dropped or the fragment is not understood."},
    {"find", (PyCFunction)(void (*)(void))find, METH_FASTCALL,
     "find(data, sub, start=0, end=len(data))\n--\n\ndata.find(sub, start, end), searched with memmem."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "littrack.pubmed._speedups",
    .m_doc = "C helpers for the PubMed parser (see parse.py).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    init_classes();
    return PyModule_Create(&module);
}
