import subprocess
import sys

from conftest import REPO


def test_graph_render_write_import_with_spacy_blocked():
    code = (
        "import sys\nclass Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'spacy' or name.startswith('spacy.'): raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import briefgen.graph, briefgen.render, briefgen.write, briefgen.sources, briefgen.build, briefgen.cli\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
