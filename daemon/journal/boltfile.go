package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// The bbolt file layout (go.etcd.io/bbolt/internal/common, format version
// 2), read here with plain file reads so that a damaged file is found
// before bbolt maps it: bbolt trusts its pages, so a truncated file faults
// (SIGBUS) and a garbage page panics. Integers are in the machine's byte
// order; every platform lastfmd builds for is little-endian.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	elementSize     = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeaderLen = 16 // root pgid u64, sequence u64
	metaChecksumAt  = 56 // the checksum covers the meta's first 56 bytes
	flagBranch      = 0x01
	flagLeaf        = 0x02
	flagMeta        = 0x04
	flagFreelist    = 0x10
	leafBucket      = 0x01
	noFreelist      = ^uint64(0)
	maxTreeDepth    = 64
)

var le = binary.LittleEndian

// boltMeta is the part of a meta page the check needs.
type boltMeta struct {
	pageSize uint32
	root     uint64 // root bucket's page
	freelist uint64
	hwm      uint64 // pages in use: the file holds pages [0, hwm)
	txid     uint64
	flags    uint16 // the meta page's own page type
}

// readMeta reads and validates the meta page at off as bbolt does (magic,
// version, checksum), so that both pick the same one; its flags and page
// size are checked once it is picked (sane).
func readMeta(f io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+64)
	if _, err := f.ReadAt(buf, off); err != nil {
		return boltMeta{}, err
	}
	m := buf[pageHeaderSize:]
	if le.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, errors.New("not a bbolt file")
	}
	if le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt format %d", le.Uint32(m[4:]))
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if h.Sum64() != le.Uint64(m[metaChecksumAt:]) {
		return boltMeta{}, errors.New("checksum mismatch")
	}
	return boltMeta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
		hwm: le.Uint64(m[40:]), txid: le.Uint64(m[48:]), flags: le.Uint16(buf[8:])}, nil
}

// sane checks what bbolt does not before it trusts a picked meta page.
func (m boltMeta) sane() error {
	if m.flags != flagMeta {
		return fmt.Errorf("its current header page is overwritten (page type %#x)", m.flags)
	}
	if ps := m.pageSize; ps < 512 || ps > 1<<16 || ps&(ps-1) != 0 {
		return fmt.Errorf("its current header page names a page size of %d bytes", ps)
	}
	return nil
}

// pageSizes are the page sizes bbolt uses (the system's page size), tried
// where no valid meta page names one.
var pageSizes = []uint32{4096, 8192, 16384, 65536}

// latestMeta picks the meta bbolt would use: the valid one with the higher
// transaction id.
func latestMeta(f io.ReaderAt) (boltMeta, error) {
	cur, _, err := bothMetas(f)
	return cur, err
}

// bothMetas returns the meta bbolt would use (cur: the valid one with the
// higher transaction id, checked sane) and the other one when it is valid
// and sane too (prev; nil when not).
func bothMetas(f io.ReaderAt) (cur boltMeta, prev *boltMeta, err error) {
	m0, err0 := readMeta(f, 0)
	var m1 boltMeta
	err1 := errors.New("no second header page")
	// The second meta page is one page in; without a valid first one, try
	// the page sizes bbolt uses.
	sizes := pageSizes
	if err0 == nil {
		sizes = []uint32{m0.pageSize}
	}
	for _, ps := range sizes {
		if m1, err1 = readMeta(f, int64(ps)); err1 == nil {
			break
		}
	}
	// bbolt (db.meta): the higher transaction id if valid, else the other.
	switch {
	case err0 == nil && (err1 != nil || m0.txid >= m1.txid):
		cur = m0
		if err1 == nil {
			prev = &m1
		}
	case err1 == nil:
		cur = m1
		if err0 == nil {
			prev = &m0
		}
	default:
		return boltMeta{}, nil, fmt.Errorf("neither of its two header pages is valid (%v; %v)", err0, err1)
	}
	if prev != nil && (prev.sane() != nil || prev.pageSize != cur.pageSize) {
		prev = nil
	}
	return cur, prev, cur.sane()
}

// treeWalker reads a bbolt file's bucket tree page by page. In strict mode
// (kv == nil) the first problem ends the walk; in salvage mode problems are
// collected and the damaged subtree is skipped.
type treeWalker struct {
	f    io.ReaderAt
	size int64 // the file's size: no read is larger than the file
	meta boltMeta
	seen map[uint64]bool
	// kv is salvage's: each readable key/value, with the bucket it is in
	// (its path from the root the walk started at) and the page holding it.
	kv       func(bucket string, page uint64, k, v []byte)
	problems []string
	strict   bool
	// visits bounds the work: a real file's entries each take 16 bytes of
	// it, so a walk visiting more than size/16 of them follows entries
	// that overlap (a crafted file), which could otherwise blow up.
	visits int64

	// Salvage reads a file in several walks (salvage_read.go).
	done     map[uint64]bool // pages an earlier walk read: skipped, not "used twice"
	leafOnly bool            // read each page's own entries: follow no branch or bucket root page
	// lostIn counts the problems met under each top-level bucket.
	lostIn map[string]int
	// seq holds the sequence of each top-level bucket read.
	seq map[string]uint64
}

type walkError struct{ msg string }

func (e *walkError) Error() string { return e.msg }

func (w *treeWalker) fail(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if w.strict {
		return &walkError{msg}
	}
	w.problems = append(w.problems, msg)
	return nil
}

// readPage reads page id with its overflow pages.
func (w *treeWalker) readPage(id uint64) ([]byte, error) {
	ps := uint64(w.meta.pageSize)
	if id < 2 || id >= w.meta.hwm {
		return nil, w.fail("page %d is outside the file's %d pages", id, w.meta.hwm)
	}
	if w.seen[id] {
		return nil, w.fail("page %d is used twice", id)
	}
	if w.done[id] {
		return nil, nil
	}
	w.seen[id] = true
	if w.done != nil {
		w.done[id] = true
	}
	head := make([]byte, pageHeaderSize)
	if _, err := w.f.ReadAt(head, int64(id*ps)); err != nil {
		return nil, w.fail("page %d cannot be read: %v", id, err)
	}
	if got := le.Uint64(head); got != id {
		return nil, w.fail("page %d is overwritten (it says it is page %d)", id, got)
	}
	overflow := uint64(le.Uint32(head[12:]))
	if id+overflow >= w.meta.hwm || (id+overflow+1)*ps > uint64(w.size) {
		return nil, w.fail("page %d runs past the end of the file", id)
	}
	buf := make([]byte, (overflow+1)*ps)
	if _, err := w.f.ReadAt(buf, int64(id*ps)); err != nil {
		return nil, w.fail("page %d cannot be read: %v", id, err)
	}
	return buf, nil
}

// walkBucket walks a bucket's tree from its root page, or its inline page
// (held by the page holder).
func (w *treeWalker) walkBucket(name string, root uint64, inline []byte, holder uint64, depth int) error {
	if depth > maxTreeDepth {
		return w.fail("buckets nested deeper than %d", maxTreeDepth)
	}
	if root == 0 {
		return w.walkPage(name, inline, 0, holder, depth)
	}
	if w.leafOnly {
		return nil
	}
	buf, err := w.readPage(root)
	if err != nil || buf == nil {
		return err
	}
	return w.walkPage(name, buf, root, root, depth)
}

// walkFrom walks the page id and what it leads to as if it were a
// bucket's root (salvage: a page found outside the tree of a meta page).
func (w *treeWalker) walkFrom(id uint64) error {
	buf, err := w.readPage(id)
	if err != nil || buf == nil {
		return err
	}
	return w.walkPage("", buf, id, id, 0)
}

// walkPage checks one branch or leaf page (id 0: an inline page, inside the
// page holder) and what it leads to.
func (w *treeWalker) walkPage(name string, p []byte, id, holder uint64, depth int) error {
	if depth > maxTreeDepth {
		return w.fail("page %d: the tree is deeper than %d", id, maxTreeDepth)
	}
	if len(p) < pageHeaderSize {
		return w.fail("bucket %q: its inline page is cut short", name)
	}
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if pageHeaderSize+count*elementSize > len(p) {
		return w.fail("page %d: %d entries do not fit in it", id, count)
	}
	// bbolt follows an inline bucket's "branch" to itself, and the first
	// entry of an empty branch, for ever: both are damage.
	if id == 0 && flags != flagLeaf {
		return w.fail("bucket %q: its inline page is overwritten (page type %#x)", name, flags)
	}
	if flags != flagBranch && flags != flagLeaf {
		return w.fail("page %d is overwritten (page type %#x)", id, flags)
	}
	if flags == flagBranch && count == 0 {
		return w.fail("page %d is overwritten (a branch with no entries)", id)
	}
	if flags == flagBranch && w.leafOnly {
		return nil
	}
	var prev []byte // keys must ascend within a page: bbolt finds them by binary search
	ordered := func(k []byte) error {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return w.fail("page %d: its keys are out of order", id)
		}
		prev = k
		return nil
	}
	for i := range count {
		if w.visits++; w.visits > w.size/elementSize+1 {
			return &walkError{"its entries overlap (more entries than the file can hold)"}
		}
		e := p[pageHeaderSize+i*elementSize:]
		at := pageHeaderSize + i*elementSize
		switch flags {
		case flagBranch:
			pos, ksize := int(le.Uint32(e[0:])), int(le.Uint32(e[4:]))
			if at+pos+ksize > len(p) || pos < 0 {
				if err := w.fail("page %d: entry %d points outside the page", id, i); err != nil {
					return err
				}
				continue
			}
			if err := ordered(p[at+pos : at+pos+ksize]); err != nil {
				return err
			}
			child, err := w.readPage(le.Uint64(e[8:]))
			if err != nil {
				return err
			}
			if child == nil {
				continue
			}
			if err := w.walkPage(name, child, le.Uint64(e[8:]), le.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
		case flagLeaf:
			lf, pos, ksize, vsize := le.Uint32(e[0:]), int(le.Uint32(e[4:])), int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
			start := at + pos
			if pos < 0 || start+ksize+vsize > len(p) || start+ksize+vsize < start {
				if err := w.fail("page %d: entry %d points outside the page", id, i); err != nil {
					return err
				}
				continue
			}
			k, v := p[start:start+ksize], p[start+ksize:start+ksize+vsize]
			if err := ordered(k); err != nil {
				return err
			}
			if lf&leafBucket == 0 {
				if w.kv != nil {
					w.kv(name, holder, k, v)
				}
				continue
			}
			if len(v) < bucketHeaderLen {
				if err := w.fail("page %d: bucket %q has a cut-short header", id, k); err != nil {
					return err
				}
				continue
			}
			sub := string(k)
			if name != "" {
				sub = name + "/" + sub
			} else if w.seq != nil {
				w.seq[sub] = le.Uint64(v[8:])
			}
			lost := len(w.problems)
			if err := w.walkBucket(sub, le.Uint64(v), v[bucketHeaderLen:], holder, depth+1); err != nil {
				return err
			}
			if w.lostIn != nil && name == "" {
				w.lostIn[sub] += len(w.problems) - lost
			}
		default:
			return w.fail("page %d is overwritten (page type %#x)", id, flags)
		}
	}
	return nil
}

// checkFreelist checks the freelist page: every free page id lies inside
// the file.
func (w *treeWalker) checkFreelist() error {
	_, err := w.freePages()
	return err
}

// freePages reads and checks the meta's free-page list: the pages free or
// waiting to be freed when its transaction committed. nil when the meta
// has none, or (salvage) when it cannot be read.
func (w *treeWalker) freePages() (map[uint64]bool, error) {
	if w.meta.freelist == noFreelist {
		return nil, nil
	}
	p, err := w.readPage(w.meta.freelist)
	if err != nil || p == nil {
		return nil, err
	}
	if le.Uint16(p[8:]) != flagFreelist {
		return nil, w.fail("page %d is overwritten (page type %#x where the free-page list should be)", w.meta.freelist, le.Uint16(p[8:]))
	}
	n, at := uint64(le.Uint16(p[10:])), pageHeaderSize
	if n == 0xFFFF {
		n, at = le.Uint64(p[pageHeaderSize:]), pageHeaderSize+8
	}
	if n > uint64(len(p))/8 || uint64(at)+n*8 > uint64(len(p)) {
		return nil, w.fail("the free-page list (page %d) does not fit in its page", w.meta.freelist)
	}
	free := make(map[uint64]bool, n)
	for i := range n {
		id := le.Uint64(p[uint64(at)+i*8:])
		if id < 2 || id >= w.meta.hwm {
			return nil, w.fail("the free-page list names page %d, outside the file's %d pages", id, w.meta.hwm)
		}
		free[id] = true
	}
	return free, nil
}

// checkBoltFile checks a journal file before bbolt maps it: its header
// pages, its size against the pages they claim, and every page of the
// bucket tree and the free-page list. It reads each page in use once
// (BenchmarkCheckFile: well under the 2 s bound on a 100 MB journal). nil
// means bbolt can open the file safely.
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() == 0 {
		return &walkError{"it is empty (0 bytes)"}
	}
	meta, err := latestMeta(f)
	if err != nil {
		return &walkError{err.Error()}
	}
	if need := int64(meta.hwm) * int64(meta.pageSize); st.Size() < need {
		return &walkError{fmt.Sprintf("it is cut short: %d bytes, where its header counts %d pages of %d bytes (%d bytes)",
			st.Size(), meta.hwm, meta.pageSize, need)}
	}
	w := &treeWalker{f: f, size: st.Size(), meta: meta, seen: map[uint64]bool{}, strict: true}
	if err := w.checkFreelist(); err != nil {
		return err
	}
	return w.walkBucket("", meta.root, nil, 0, 0)
}
