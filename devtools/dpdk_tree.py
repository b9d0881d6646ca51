#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Place the patchset into a DPDK 22.11 tree and hook it into DPDK's lists.

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

    def files(self):
        """Every (repo file, DPDK file) pair of the group that exists."""
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
        return out


def _read(tree, path):
    with open(os.path.join(tree, path), encoding='utf-8') as f:
        return f.read()


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

    def hook(tree):
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

    def hook(tree):
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

    def conditional(tree):
        if os.path.exists(os.path.join(TOP, repo_path)):
            hook(tree)
    return conditional


def doc_page(section, page, after):
    """A guide page: the file itself and its toctree entry in SECTION."""
    path = 'doc/guides/%s/%s.rst' % (section, page)
    return ((path, path),
            when_present(path, insert_list_item(
                'doc/guides/%s/index.rst' % section, after, page)))


def _maintainers_block():
    with open(os.path.join(TOP, 'MAINTAINERS'), encoding='utf-8') as f:
        text = f.read()
    body = [l for l in text.split('\n') if not l.startswith('#')]
    return '\n'.join(body).strip('\n') + '\n\n'


def release_notes_hook(tree):
    """Add the patchset's items to the New Features of the release notes."""
    path = 'doc/guides/rel_notes/release_%s.rst' % _dpdk_release(tree)
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


def maintainers_hook(tree):
    content = _read(tree, 'MAINTAINERS')
    block = _maintainers_block()
    if block.strip() in content:
        return
    anchor = 'Packet processing\n-----------------\n'
    if anchor not in content:
        raise SystemExit('MAINTAINERS: section "Packet processing" not found')
    _write(tree, 'MAINTAINERS', content.replace(anchor, block + anchor, 1))


class UnitTest:
    """A dpdk-test source file and the suites it registers.

    22.11 registers suites with REGISTER_TEST_COMMAND and lists them in
    app/test/meson.build: FAST suites in fast_tests (run by the test
    command), PERF suites in perf_test_names. SOAK commands are driven by
    the scripts of devtools/soak (they need a server or run long): they
    go to extra_test_names, which neither list runs. The file is built
    when the dpdk_conf KEY is set; DEPS are extra link dependencies;
    HELPERS are files shared with other suites (a .c helper is compiled
    once).
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


_AVF_MODEL = ['avf_guest_model.c', 'avf_guest_model.h']

UNIT_TESTS = [
    UnitTest('test_vfio_user.c', 'RTE_LIB_VFIO_USER',
             fast=['vfio_user_autotest'], perf=['vfio_user_perf_autotest']),
    UnitTest('test_emudev.c', 'RTE_LIB_EMUDEV', fast=['emudev_autotest']),
    UnitTest('test_emu_iavf.c', 'RTE_EMU_IAVF', fast=['emu_iavf_autotest'],
             deps=['emu_iavf', 'common_iavf'], helpers=_AVF_MODEL),
    UnitTest('test_avfbe.c', 'RTE_NET_IAVF_BE', fast=['avfbe_autotest'],
             deps=['net_iavf_be', 'emu_iavf', 'common_iavf'],
             helpers=_AVF_MODEL + ['avfbe_test_util.h']),
    UnitTest('test_avfbe_perf.c', 'RTE_NET_IAVF_BE',
             perf=['avfbe_perf_autotest'],
             deps=['net_iavf_be', 'emu_iavf', 'common_iavf'],
             helpers=_AVF_MODEL + ['avfbe_test_util.h']),
    UnitTest('test_emu_soak.c', 'RTE_NET_IAVF_BE',
             soak=['emu_soak_kill_autotest', 'emu_soak_client_autotest',
                   'emu_soak_reset_autotest'],
             deps=['net_iavf_be', 'emu_iavf', 'common_iavf'],
             helpers=_AVF_MODEL + ['avfbe_test_util.h']),
]


def _unit_tests_present():
    return [t for t in UNIT_TESTS
            if os.path.exists(os.path.join(TOP, 'app/test', t.src))]


def _unit_test_helpers(tests):
    """Helper files of TESTS, each once: [(file, [dpdk_conf keys])]."""
    helpers = {}
    for t in tests:
        for h in t.helpers:
            keys = helpers.setdefault(h, [])
            if t.key not in keys:
                keys.append(t.key)
    return sorted(helpers.items())


def unit_tests_hook(tree):
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
        for d in t.deps:
            lines.append("    test_deps += '%s'" % d)
        lines.append('endif')
    for helper, keys in _unit_test_helpers(present):
        if not helper.endswith('.c'):
            continue
        lines.append('if ' + ' or '.join("dpdk_conf.has('%s')" % k
                                         for k in keys))
        lines.append("    test_sources += files('%s')" % helper)
        lines.append('endif')
    lines.append('')
    insert_before('app/test/meson.build', 'test_dep_objs = []',
                  '\n'.join(lines), marker)(tree)


DOC_PAGES = [
    doc_page('prog_guide', 'vfio_user_lib', 'vhost_lib'),
    doc_page('prog_guide', 'emudev', 'vhost_lib'),
    doc_page('nics', 'avfbe', 'atlantic'),
    doc_page('sample_app_ug', 'avf_emu_fwd', 'vdpa'),
    doc_page('howto', 'avfbe_ovs', 'virtio_user_as_exception_path'),
]

GROUPS = [
    Group('vfio_user', 'vfio_user: add vfio-user server and client library',
          [('lib/librte_vfio_user', 'lib/vfio_user')],
          [insert_list_item('lib/meson.build', 'vhost', 'vfio_user')]),
    Group('emudev', 'emudev: add emulated device class',
          [('lib/librte_emudev', 'lib/emudev')],
          [insert_list_item('lib/meson.build', 'vhost', 'emudev')]),
    Group('emu_iavf', 'emu/iavf: add emulated Intel AVF device',
          [('drivers/emu', 'drivers/emu')],
          [insert_before('drivers/meson.build',
                         "        'net',            # depends on common, bus, mempool",
                         "        'emu',            # depends on common, bus",
                         "'emu',")]),
    Group('iavf_be', 'net/iavf_be: add AVF backend PMD',
          [('drivers/net/iavf_be', 'drivers/net/iavf_be')],
          [insert_list_item('drivers/net/meson.build', 'iavf', 'iavf_be')]),
    Group('example', 'examples/avf_emu_fwd: add forwarding example',
          [('examples/avf_emu_fwd', 'examples/avf_emu_fwd')],
          [insert_list_item('examples/meson.build', 'bbdev_app',
                            'avf_emu_fwd', before=True)]),
    Group('tests', 'test: add device emulation unit tests',
          [('app/test/' + t.src, 'app/test/' + t.src) for t in UNIT_TESTS] +
          [('app/test/' + h, 'app/test/' + h)
           for h, _ in _unit_test_helpers(UNIT_TESTS)],
          [unit_tests_hook]),
    Group('docs', 'doc: add device emulation guides and maintainers',
          [p for p, _ in DOC_PAGES] + [('MAINTAINERS', None),
                                       (RELEASE_NOTES, None)] +
          [('doc/guides/nics/features/avfbe.ini',
            'doc/guides/nics/features/avfbe.ini')] +
          [('doc/guides/howto/img/avfbe_architecture.svg',
            'doc/guides/howto/img/avfbe_architecture.svg')] +
          [('doc/guides/emudevs/index.rst', 'doc/guides/emudevs/index.rst'),
           ('doc/guides/emudevs/iavf.rst', 'doc/guides/emudevs/iavf.rst')],
          [h for _, h in DOC_PAGES] + [maintainers_hook] +
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
                'a doorbell page shared through sparse mmap. rte_iavf_emu.h gives a\n'
                'data-path backend the guest queues.',
    'iavf_be': 'The net_avfbe ethdev polls the guest rings of an emu_iavf device:\n'
               'Rx takes what the guest transmits, Tx delivers into its receive\n'
               'rings, honouring the guest checksum and TSO requests.',
    'example': 'A forwarding application between emulated AVF devices and other\n'
               'ports.',
    'tests': 'dpdk-test suites for the device-emulation libraries and drivers.',
    'docs': 'Programmer\'s guide, driver and sample application pages for the\n'
            'device-emulation series, and its MAINTAINERS entries.',
}


def present_groups():
    return [g for g in GROUPS if g.present()]


def copy_pristine(pristine, tree):
    if os.path.exists(tree):
        shutil.rmtree(tree)
    shutil.copytree(pristine, tree, symlinks=True)
    with open(os.path.join(tree, '.emu-pristine'), 'w') as f:
        f.write(os.path.realpath(pristine) + '\n')


def place(group, tree, link):
    for src, dst in group.files():
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
        hook(tree)


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
        place(g, tree, link=True)


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
                place(g, argv[3], link=False)
                return 0
        raise SystemExit('unknown or absent group %s' % argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
