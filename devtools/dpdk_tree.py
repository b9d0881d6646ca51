#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Place the patchset into a DPDK tree and hook it into DPDK's lists.

The trees it knows: 22.11 (the default, Debian bookworm's source), 24.11
and 25.11. What differs between them (test registration, symbol exports,
meson lists) is found in the tree itself, see Layout.

The repository keeps the patchset at its RFC paths (lib/librte_vfio_user, ...);
inside DPDK (>= 21.05 names) they become lib/vfio_user, lib/emudev, ...

  dpdk_tree.py assemble PRISTINE TREE         symlink the patchset into TREE
  dpdk_tree.py apply PRISTINE TREE GROUP      copy one group's files, hook it
  dpdk_tree.py groups                         list the groups present, in order
  dpdk_tree.py describe GROUP                 print a group's commit message body
  dpdk_tree.py tests                          list the fast dpdk-test suites present
  dpdk_tree.py perf-tests                     list the perf dpdk-test suites present
  dpdk_tree.py soak-tests                     list the soak dpdk-test commands present
  dpdk_tree.py examples                       list the examples present

"assemble" keeps TREE a copy of PRISTINE whose patchset parts are symlinks
into this repository, so an edit here is seen by the next ninja run.
"apply" is what the patch export uses: real files, one logical group at a time.
"""

import os
import shutil
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Group:
    """One logical change of the series: files placed plus list hooks."""

    def __init__(self, name, subject, paths, hooks):
        self.name = name
        self.subject = subject
        self.paths = paths          # [(repo path, DPDK path)]
        self.hooks = hooks          # [callable(tree)]

    def present(self):
        return any(os.path.exists(os.path.join(TOP, src)) for src, _ in self.paths)

    def files(self, layout=None):
        """Every (repo file, DPDK file) pair of the group that exists
        (and that the LAYOUT, when given, takes)."""
        out = []
        for src, dst in self.paths:
            full = os.path.join(TOP, src)
            if os.path.isfile(full):
                out.append((src, dst))
            elif os.path.isdir(full):
                for root, _, names in os.walk(full):
                    for n in sorted(names):
                        rel = os.path.relpath(os.path.join(root, n), full)
                        out.append((os.path.join(src, rel), os.path.join(dst, rel)))
        if layout is not None:
            out = [(src, dst) for src, dst in out if layout.takes(src)]
        return out


def _read(tree, path):
    with open(os.path.join(tree, path), encoding='utf-8') as f:
        return f.read()


class Layout:
    """What differs between the DPDK trees the patchset goes into, found
    in the pristine tree itself.

    symbol_maps: libraries and drivers export their symbols through
        version.map files (before 25.07). Later releases generate the maps
        from the RTE_EXPORT_*_SYMBOL annotations of the sources, which the
        patchset has in every case; its version.map files are left out.
    test_deps_dict: app/test/meson.build gives each test file's
        dependencies in source_file_deps and finds the suites in the
        sources (23.11 and later); before, the suites are listed in
        fast_tests, perf_test_names, extra_test_names.
    test_macros: the REGISTER_<SUITE>_TEST macros app/test/test.h lacks;
        test_macros_hook adds them (22.11: all three, 24.11: STRESS).
    """

    def __init__(self, pristine):
        self.release = _dpdk_release(pristine)
        self.symbol_maps = not os.path.exists(
            os.path.join(pristine, 'lib/eal/common/eal_export.h'))
        self.test_deps_dict = ('source_file_deps = {' in
                               _read(pristine, 'app/test/meson.build'))
        test_h = _read(pristine, 'app/test/test.h')
        self.test_macros = [m for m in ('FAST', 'PERF', 'STRESS')
                            if '#define REGISTER_%s_TEST' % m not in test_h]

    def takes(self, src):
        """Whether the repository file SRC belongs in this tree."""
        if os.path.basename(src) == 'version.map':
            return self.symbol_maps
        return True


HOOKED = '.emu-hooked'   # in an assembled tree: DPDK files the hooks edited


def _write(tree, path, text):
    full = os.path.join(tree, path)
    if os.path.islink(full):
        os.unlink(full)
    with open(full, 'w', encoding='utf-8') as f:
        f.write(text)
    with open(os.path.join(tree, HOOKED), 'a', encoding='utf-8') as f:
        f.write(path + '\n')


def restore_hooked(pristine, tree):
    """Put back DPDK's own version of every file a hook edited, so that
    the hooks of the next assembly start from pristine content."""
    hooked = os.path.join(tree, HOOKED)
    if not os.path.exists(hooked):
        return
    with open(hooked, encoding='utf-8') as f:
        paths = set(line.strip() for line in f if line.strip())
    for path in paths:
        shutil.copy2(os.path.join(pristine, path), os.path.join(tree, path))
    os.unlink(hooked)


def insert_before(path, anchor, text, marker):
    """Hook: insert TEXT before the first line equal to ANCHOR (once)."""

    def hook(tree, layout):
        content = _read(tree, path)
        if marker in content:
            return
        lines = content.split('\n')
        for i, line in enumerate(lines):
            if line == anchor:
                lines[i:i] = text.rstrip('\n').split('\n')
                _write(tree, path, '\n'.join(lines))
                return
        raise SystemExit('%s: anchor line %r not found' % (path, anchor))
    return hook


def insert_list_item(path, anchor, item, before=False):
    """Hook: add "item" to a meson or toctree list after (or before) ANCHOR."""

    def hook(tree, layout):
        content = _read(tree, path)
        lines = content.split('\n')
        for line in lines:
            if line.strip().strip(",'") == item:
                return
        for i, line in enumerate(lines):
            if line.strip().strip(",'") == anchor:
                indent = line[:len(line) - len(line.lstrip())]
                if line.rstrip().endswith(','):
                    new = "%s'%s'," % (indent, item)
                else:
                    new = indent + item
                lines.insert(i if before else i + 1, new)
                _write(tree, path, '\n'.join(lines))
                return
        raise SystemExit('%s: list item %r not found' % (path, anchor))
    return hook


def when_present(repo_path, hook):
    """Hook: run HOOK only while REPO_PATH exists in this repository."""

    def conditional(tree, layout):
        if os.path.exists(os.path.join(TOP, repo_path)):
            hook(tree, layout)
    return conditional


def insert_sorted_item(path, start, item):
    """Hook: add 'ITEM', to the meson list opened by the line START, before
    the first item that sorts after it (DPDK keeps these lists sorted)."""

    def hook(tree, layout):
        lines = _read(tree, path).split('\n')
        i = lines.index(start) + 1
        entry = None
        while lines[i].strip() != ']':
            text = lines[i].split('#')[0].strip().rstrip(',').strip("'")
            if text == item:
                return
            if entry is None and text > item:
                entry = i
            i += 1
        entry = i if entry is None else entry
        indent = ' ' * 8
        lines.insert(entry, "%s'%s'," % (indent, item))
        _write(tree, path, '\n'.join(lines))
    return hook


def doc_page(section, page, after):
    """A guide page: the file itself and its toctree entry in SECTION."""
    path = 'doc/guides/%s/%s.rst' % (section, page)
    return ((path, path),
            when_present(path, insert_list_item(
                'doc/guides/%s/index.rst' % section, after, page)))


def _maintainers_entries():
    """The section title of the repository's MAINTAINERS and its entries
    (blocks of lines), comments left out."""
    with open(os.path.join(TOP, 'MAINTAINERS'), encoding='utf-8') as f:
        text = f.read()
    body = '\n'.join(l for l in text.split('\n') if not l.startswith('#'))
    blocks = [b.strip('\n') for b in body.strip('\n').split('\n\n')]
    return blocks[0] + '\n', [b + '\n' for b in blocks[1:]]


def maintainers_hook(group_name):
    """Hook: the MAINTAINERS entries of a group (those whose first F: path
    the group adds), after the ones of the groups before it; DPDK takes a
    new component's entry with the component."""

    def hook(tree, layout):
        group = [g for g in GROUPS if g.name == group_name][0]
        dsts = [d for _, d in group.paths if d]
        title, entries = _maintainers_entries()
        mine = []
        for e in entries:
            first = [l[3:] for l in e.split('\n') if l.startswith('F: ')][0]
            if any(first.startswith(d) for d in dsts):
                mine.append(e)
        content = _read(tree, 'MAINTAINERS')
        if not mine or mine[0] in content:
            return
        anchor = 'Packet processing\n-----------------\n'
        if anchor not in content:
            raise SystemExit('MAINTAINERS: section "Packet processing" not found')
        if title not in content:
            content = content.replace(anchor, title + '\n' + anchor, 1)
        content = content.replace(anchor, ''.join(e + '\n' for e in mine) +
                                  anchor, 1)
        _write(tree, 'MAINTAINERS', content)
    return hook


def release_notes_hook(tree, layout):
    """Add the patchset's items to the New Features of the release notes."""
    path = 'doc/guides/rel_notes/release_%s.rst' % layout.release
    with open(os.path.join(TOP, RELEASE_NOTES), encoding='utf-8') as f:
        items = f.read().strip('\n') + '\n'
    content = _read(tree, path)
    if items.split('\n')[0] in content:
        return
    anchor = 'New Features\n------------\n\n'
    if anchor not in content:
        raise SystemExit('%s: "New Features" section not found' % path)
    _write(tree, path, content.replace(anchor, anchor + items + '\n', 1))


def _dpdk_release(tree):
    """"22.11" of a 22.11.x tree, as in its release notes' file name."""
    with open(os.path.join(tree, 'VERSION'), encoding='utf-8') as f:
        major, minor = f.read().strip().split('.')[:2]
    return '%s_%s' % (major, minor)


RELEASE_NOTES = 'doc/guides/rel_notes/new_features.rst'


class UnitTest:
    """A dpdk-test source file and the suites it registers.

    The sources register FAST suites with REGISTER_FAST_TEST, PERF ones
    with REGISTER_PERF_TEST and the SOAK commands, driven by the scripts of
    devtools/soak (they need a server or run long), with
    REGISTER_STRESS_TEST. DEPS are the libraries and drivers the file
    needs, the first one the component it tests; HELPERS are files shared
    with other suites (a .c helper is compiled once).

    23.11 and later find the suites in the sources; the file goes into
    source_file_deps with DEPS. 22.11 lists them in app/test/meson.build:
    FAST suites in fast_tests (run by the test command), PERF suites in
    perf_test_names, SOAK commands in extra_test_names (neither list
    runs); the file is built when the dpdk_conf KEY is set and the
    drivers among DEPS are linked (test_deps).
    """

    def __init__(self, src, key, fast=(), perf=(), soak=(), deps=(),
                 helpers=()):
        self.src = src
        self.key = key
        self.fast = list(fast)
        self.perf = list(perf)
        self.soak = list(soak)
        self.deps = list(deps)
        self.helpers = list(helpers)

    def driver_deps(self):
        return [d for d in self.deps if d.startswith(('emu_', 'net_'))]


_AVF_MODEL = ['avf_guest_model.c', 'avf_guest_model.h']
_EMU_IAVF_DEPS = ['emu_iavf', 'bus_vdev', 'emudev', 'vfio_user']
_AVFBE_DEPS = ['net_iavf_be', 'bus_vdev', 'emu_iavf', 'ethdev', 'vfio_user']

UNIT_TESTS = [
    UnitTest('test_vfio_user.c', 'RTE_LIB_VFIO_USER',
             fast=['vfio_user_autotest'], perf=['vfio_user_perf_autotest'],
             soak=['vfio_user_serve_autotest'], deps=['vfio_user']),
    UnitTest('test_emudev.c', 'RTE_LIB_EMUDEV', fast=['emudev_autotest'],
             deps=['emudev']),
    UnitTest('test_emu_iavf.c', 'RTE_EMU_IAVF', fast=['emu_iavf_autotest'],
             deps=_EMU_IAVF_DEPS, helpers=_AVF_MODEL),
    UnitTest('test_avfbe.c', 'RTE_NET_IAVF_BE', fast=['avfbe_autotest'],
             deps=_AVFBE_DEPS, helpers=_AVF_MODEL + ['avfbe_test_util.h']),
    UnitTest('test_avfbe_perf.c', 'RTE_NET_IAVF_BE',
             perf=['avfbe_perf_autotest'], deps=_AVFBE_DEPS,
             helpers=_AVF_MODEL + ['avfbe_test_util.h']),
    UnitTest('test_emu_soak.c', 'RTE_NET_IAVF_BE',
             soak=['emu_soak_kill_autotest', 'emu_soak_client_autotest',
                   'emu_soak_reset_autotest'],
             deps=_AVFBE_DEPS, helpers=_AVF_MODEL + ['avfbe_test_util.h']),
]


def _unit_tests_present():
    return [t for t in UNIT_TESTS
            if os.path.exists(os.path.join(TOP, 'app/test', t.src))]


def _unit_test_helpers(tests):
    """Helper files of TESTS, each once: [(file, [the tests using it])]."""
    helpers = {}
    for t in tests:
        for h in t.helpers:
            helpers.setdefault(h, []).append(t)
    return sorted(helpers.items())


def _unit_tests_lists(tree):
    """22.11: the suites in app/test/meson.build's lists."""
    marker = '# device emulation (vfio-user, emudev) tests'
    lines = [marker]
    present = _unit_tests_present()
    for t in present:
        lines.append("if dpdk_conf.has('%s')" % t.key)
        lines.append("    test_sources += files('%s')" % t.src)
        for n in t.fast:
            lines.append("    fast_tests += [['%s', true, true]]" % n)
        for n in t.perf:
            lines.append("    perf_test_names += '%s'" % n)
        for n in t.soak:
            lines.append("    extra_test_names += '%s'" % n)
        for d in t.driver_deps():
            lines.append("    test_deps += '%s'" % d)
        lines.append('endif')
    for helper, users in _unit_test_helpers(present):
        if not helper.endswith('.c'):
            continue
        keys = []
        for t in users:
            if t.key not in keys:
                keys.append(t.key)
        lines.append('if ' + ' or '.join("dpdk_conf.has('%s')" % k
                                         for k in keys))
        lines.append("    test_sources += files('%s')" % helper)
        lines.append('endif')
    lines.append('')
    insert_before('app/test/meson.build', 'test_dep_objs = []',
                  '\n'.join(lines), marker)(tree, None)


def _unit_tests_dict(tree):
    """23.11 and later: each file with its dependencies in
    source_file_deps, helpers among the helpers, tests in name order."""
    path = 'app/test/meson.build'
    lines = _read(tree, path).split('\n')
    present = _unit_tests_present()
    entries = [(t.src, t.deps) for t in present]
    for helper, users in _unit_test_helpers(present):
        if helper.endswith('.c'):
            # built when every user's common dependencies are
            entries.append((helper, [d for d in users[0].deps
                                     if all(d in u.deps for u in users)]))
    changed = False
    for name, deps in entries:
        start = lines.index('source_file_deps = {')
        end = lines.index('}', start)
        keys = {}
        for i in range(start + 1, end):
            if lines[i].startswith("    '"):
                keys[lines[i].split("'")[1]] = i
        if name in keys:
            continue
        test = name.startswith('test_')
        after = sorted((k, i) for k, i in keys.items()
                       if k.startswith('test_') == test and k > name)
        if after:
            pos = after[0][1]
        elif test:
            pos = end
        else:
            pos = min(i for k, i in keys.items() if k.startswith('test_'))
        entry = "    '%s': [%s]," % (name, ', '.join("'%s'" % d
                                                  for d in deps))
        if len(entry) > 80:
            # DPDK's way of wrapping a long entry
            cut = entry.rindex(', ', 0, 80)
            entry = entry[:cut + 1] + '\n        ' + entry[cut + 2:]
        lines[pos:pos] = entry.split('\n')
        changed = True
    if changed:
        _write(tree, path, '\n'.join(lines))


def unit_tests_hook(tree, layout):
    if layout.test_deps_dict:
        _unit_tests_dict(tree)
    else:
        _unit_tests_lists(tree)


# The suite registration macros of 23.11 and 25.03 where test.h lacks them
# (the suite a source registers into is found by meson in 23.11 and later;
# REGISTER_PERF_TEST is REGISTER_TEST_COMMAND there).
_TEST_MACROS = {
    'FAST': '#define REGISTER_FAST_TEST(cmd, no_huge, ASan, func) '
            'REGISTER_TEST_COMMAND(cmd, func)',
    'PERF': '#define REGISTER_PERF_TEST REGISTER_TEST_COMMAND',
    'STRESS': '#define REGISTER_STRESS_TEST REGISTER_PERF_TEST',
}


def test_macros_hook(tree, layout):
    path = 'app/test/test.h'
    if not layout.test_macros:
        return
    lines = _read(tree, path).split('\n')
    if any(l.startswith('#define REGISTER_%s_TEST' % layout.test_macros[0])
           for l in lines):
        return
    # after the last REGISTER_ macro test.h has
    i = max(i for i, l in enumerate(lines)
            if l.startswith('#define REGISTER_'))
    while lines[i].endswith('\\'):
        i += 1
    text = ['', '/* Suite registration of later releases (device emulation'
            ' tests) */']
    text += [_TEST_MACROS[m] for m in layout.test_macros]
    lines[i + 1:i + 1] = text
    _write(tree, path, '\n'.join(lines))


DOC_PAGES = [
    doc_page('prog_guide', 'vfio_user_lib', 'vhost_lib'),
    doc_page('prog_guide', 'emudev', 'vhost_lib'),
    doc_page('nics', 'avfbe', 'atlantic'),
    doc_page('sample_app_ug', 'avf_emu_fwd', 'vdpa'),
    doc_page('howto', 'avfbe_ovs', 'virtio_user_as_exception_path'),
]

GROUPS = [
    Group('vfio_user', 'vfio_user: add server and client library',
          [('lib/librte_vfio_user', 'lib/vfio_user')],
          [insert_list_item('lib/meson.build', 'vhost', 'vfio_user'),
           maintainers_hook('vfio_user')]),
    Group('emudev', 'emudev: add emulated device class',
          [('lib/librte_emudev', 'lib/emudev')],
          [insert_list_item('lib/meson.build', 'vfio_user', 'emudev'),
           maintainers_hook('emudev')]),
    Group('emu_iavf', 'emu/iavf: add emulated Intel AVF device',
          [('drivers/emu', 'drivers/emu')],
          [insert_before('drivers/meson.build',
                         "        'net',            # depends on common, bus, mempool",
                         "        'emu',            # depends on common, bus",
                         "'emu',"),
           maintainers_hook('emu_iavf')]),
    Group('iavf_be', 'net/iavf_be: add AVF backend PMD',
          [('drivers/net/iavf_be', 'drivers/net/iavf_be')],
          [insert_sorted_item('drivers/net/meson.build', 'drivers = [',
                              'iavf_be'),
           maintainers_hook('iavf_be')]),
    Group('example', 'examples/avf_emu_fwd: add forwarding example',
          [('examples/avf_emu_fwd', 'examples/avf_emu_fwd')],
          [insert_list_item('examples/meson.build', 'bbdev_app',
                            'avf_emu_fwd', before=True)]),
    Group('tests', 'test: add device emulation unit tests',
          [('app/test/' + t.src, 'app/test/' + t.src) for t in UNIT_TESTS] +
          [('app/test/' + h, 'app/test/' + h)
           for h, _ in _unit_test_helpers(UNIT_TESTS)],
          [unit_tests_hook, test_macros_hook]),
    Group('docs', 'doc: add device emulation guides',
          [p for p, _ in DOC_PAGES] + [(RELEASE_NOTES, None)] +
          [('doc/guides/nics/features/avfbe.ini',
            'doc/guides/nics/features/avfbe.ini')] +
          [('doc/guides/howto/img/avfbe_architecture.svg',
            'doc/guides/howto/img/avfbe_architecture.svg')] +
          [('doc/guides/emudevs/index.rst', 'doc/guides/emudevs/index.rst'),
           ('doc/guides/emudevs/iavf.rst', 'doc/guides/emudevs/iavf.rst')],
          [h for _, h in DOC_PAGES] +
          [when_present(RELEASE_NOTES, release_notes_hook)] +
          [when_present('doc/guides/emudevs/index.rst',
                        insert_list_item('doc/guides/index.rst',
                                         'vdpadevs/index', 'emudevs/index'))]),
]


# Commit message bodies of the exported series, by group.
DESCRIPTIONS = {
    'vfio_user': 'A vfio-user server (QEMU docs/interop/vfio-user.rst) that QEMU\n'
                 '-device vfio-user-pci accepts: socket and message handling, version\n'
                 'and capability negotiation, DMA map table and address translation,\n'
                 'region and config space dispatch, sparse mmap, IRQ eventfds, reset.\n'
                 'It also has a client API, used by the unit tests.',
    'emudev': 'A device class for emulated devices: lifecycle, backend-facing API\n'
              '(lookup, info, memory table, queues, IRQs, attributes, events) and a\n'
              'provider-facing driver API.',
    'emu_iavf': 'The emu_iavf vdev (driver class emu) serves an emulated Intel\n'
                'Adaptive Virtual Function (8086:1889) over vfio-user: config space,\n'
                'MSI-X, BAR0 registers and reset, admin queue and virtchnl 1.1, with\n'
                'a doorbell page shared through sparse mmap. iavf_emu_backend.h gives a\n'
                'data-path backend the guest queues.',
    'iavf_be': 'The net_avfbe ethdev polls the guest rings of an emu_iavf device:\n'
               'Rx takes what the guest transmits, Tx delivers into its receive\n'
               'rings, honouring the guest checksum and TSO requests.',
    'example': 'A forwarding application between emulated AVF devices and other\n'
               'ports.',
    'tests': 'dpdk-test suites for the device-emulation libraries and drivers.',
    'docs': 'Programmer\'s guide, driver and sample application pages for the\n'
            'device-emulation series, and the release notes.',
}


def present_groups():
    return [g for g in GROUPS if g.present()]


def copy_pristine(pristine, tree):
    if os.path.exists(tree):
        shutil.rmtree(tree)
    shutil.copytree(pristine, tree, symlinks=True)
    with open(os.path.join(tree, '.emu-pristine'), 'w') as f:
        f.write(os.path.realpath(pristine) + '\n')


def place(group, pristine, tree, link):
    layout = Layout(pristine)
    for src, dst in group.files(layout):
        if dst is None:
            continue
        full_dst = os.path.join(tree, dst)
        os.makedirs(os.path.dirname(full_dst), exist_ok=True)
        if os.path.lexists(full_dst):
            os.unlink(full_dst)
        if link:
            os.symlink(os.path.join(TOP, src), full_dst)
        else:
            shutil.copy2(os.path.join(TOP, src), full_dst)
    for hook in group.hooks:
        hook(tree, layout)


def assemble(pristine, tree):
    stamp = os.path.join(tree, '.emu-pristine')
    fresh = (not os.path.exists(stamp) or
             open(stamp).read().strip() != os.path.realpath(pristine))
    if fresh:
        copy_pristine(pristine, tree)
    else:
        # drop links whose target left the repository
        for root, dirs, names in os.walk(tree):
            for n in names + dirs:
                p = os.path.join(root, n)
                if os.path.islink(p) and not os.path.exists(p):
                    os.unlink(p)
    restore_hooked(pristine, tree)
    for g in present_groups():
        place(g, pristine, tree, link=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == 'groups':
        for g in present_groups():
            print('%s\t%s' % (g.name, g.subject))
        return 0
    if len(argv) >= 2 and argv[1] == 'examples':
        print(','.join(os.path.basename(d) for g in present_groups()
                       for _, d in g.paths
                       if d and d.startswith('examples/')))
        return 0
    if len(argv) == 3 and argv[1] == 'describe':
        for g in present_groups():
            if g.name == argv[2]:
                print(DESCRIPTIONS.get(g.name, g.subject))
                return 0
        raise SystemExit('unknown or absent group %s' % argv[2])
    if len(argv) >= 2 and argv[1] in ('tests', 'perf-tests', 'soak-tests'):
        kind = {'tests': 'fast', 'perf-tests': 'perf', 'soak-tests': 'soak'}
        for t in _unit_tests_present():
            for n in getattr(t, kind[argv[1]]):
                print(n)
        return 0
    if len(argv) == 4 and argv[1] == 'assemble':
        assemble(argv[2], argv[3])
        return 0
    if len(argv) == 5 and argv[1] == 'apply':
        for g in present_groups():
            if g.name == argv[4]:
                place(g, argv[2], argv[3], link=False)
                return 0
        raise SystemExit('unknown or absent group %s' % argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
