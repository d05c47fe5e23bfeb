"""Training is deterministic, fast, and its model file is safe to load."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import numpy as np
import pytest

from salon.antispam.engine import BaseModel, SpamEngine, Submission, load_corpora, train
from salon.antispam.engine.model import FORMAT_VERSION, TrainingConfig


@pytest.fixture(scope="module")
def small_rows():
    rows = load_corpora(["youtube"])
    return rows[::3]


@pytest.fixture(scope="module")
def small_model(small_rows):
    return train(small_rows, TrainingConfig(calibration_folds=2))


def test_training_is_deterministic(small_rows):
    config = TrainingConfig(calibration_folds=2)
    first = train(small_rows, config)
    second = train(small_rows, config)
    assert np.array_equal(first.weights, second.weights)
    assert first.intercept == second.intercept
    assert first.platt_slope == second.platt_slope
    assert first.metadata["band"] == second.metadata["band"]
    assert first.version == second.version


def test_trained_model_separates_spam_from_ham(small_model):
    engine = SpamEngine(small_model)
    spam = engine.check(
        Submission(content="check out my channel and subscribe http://youtube.com/user/x")
    )
    ham = engine.check(Submission(content="this song reminds me of summer 2012, love it"))
    assert spam.score > ham.score


def test_model_file_round_trip_without_pickle(tmp_path, small_model):
    model = small_model
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as archive:  # would fail on pickled objects
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["format_version"] == FORMAT_VERSION
    assert "DATE" not in json.dumps(metadata)
    loaded = BaseModel.load(path)
    assert np.array_equal(loaded.weights, model.weights)
    assert loaded.version == model.version


def test_unknown_model_format_is_refused(small_model):
    data = small_model.to_bytes()
    small_model.metadata["format_version"] = 999
    try:
        with pytest.raises(ValueError):
            BaseModel.from_bytes(small_model.to_bytes())
    finally:
        small_model.metadata["format_version"] = FORMAT_VERSION
    assert BaseModel.from_bytes(data).version == small_model.version


def test_shipped_model_is_a_plain_archive():
    from salon.antispam.engine.corpora import spam_data_dir

    data = (spam_data_dir() / "model.npz").read_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert sorted(names) == ["idf.npy", "metadata.npy", "scalars.npy", "weights.npy"]
    assert BaseModel.from_bytes(data).metadata["training_rows"] > 30_000


def test_date_column_is_never_read(tmp_path):
    from salon.antispam.engine.corpora import read_youtube

    path = tmp_path / "video.csv"
    path.write_text(
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,hello there,1\nid2,Bob,2014-01-01,hi,0\n"
    )
    rows = read_youtube(path)
    assert [r.text for r in rows] == ["hello there", "hi"]
    assert all("2014" not in repr(r) for r in rows)


def test_band_edges_hold_their_share_of_unseen_comment_ham():
    """The band's edges are read off out-of-source scores of comment ham, each corpus
    counting alike: a new site holds its share of it, a settled one a smaller share, and
    spam takes the smallest (BAND_SHARES)."""
    from salon.antispam.engine.model import (
        BAND_SHARES,
        PreparedRows,
        TrainingConfig,
        _band_edges,
    )

    rng = np.random.default_rng(0)
    n = 2000
    sources = np.array(["youtube/a"] * 1000 + ["stackexchange-ham/b"] * 1000)
    prepared = PreparedRows(
        counts=(None, None, None),  # type: ignore[arg-type]
        dense=np.zeros((n, 1)),
        labels=np.zeros(n, dtype=np.int8),
        sample_weights=np.ones(n),
        groups=np.arange(n),
        sources=sources,
    )
    probabilities = rng.beta(2, 8, n)
    edges = _band_edges(probabilities, prepared, np.ones(n, dtype=bool), TrainingConfig())
    (new_hold, new_spam), (settled_hold, settled_spam) = edges["new"], edges["settled"]
    (new_share, spam_share), (settled_share, _) = BAND_SHARES["new"], BAND_SHARES["settled"]
    assert spam_share < settled_share < new_share
    assert (probabilities > new_hold).mean() == pytest.approx(new_share, abs=0.002)
    assert (probabilities > settled_hold).mean() == pytest.approx(settled_share, abs=0.002)
    assert (probabilities > new_spam).mean() <= spam_share + 0.001
    assert new_hold < settled_hold < settled_spam == new_spam


def test_the_shipped_model_carries_its_band():
    from salon.antispam.engine.corpora import spam_data_dir

    model = BaseModel.load(spam_data_dir() / "model.npz")
    (new_hold, new_spam), (settled_hold, settled_spam) = (
        model.band_edges["new"],
        model.band_edges["settled"],
    )
    assert 0 < new_hold < settled_hold < settled_spam <= new_spam < 1
    assert model.metadata["training_rows_by_corpus"].keys() >= {
        "youtube",
        "instagram",
        "stackexchange-spam",
        "stackexchange-ham",
    }


@pytest.mark.parametrize(
    "content, url",
    [
        ("check out my channel http://youtube.com/user/x !!!", "http://seo.example"),
        ('<a href="http://shop.example/p">cheap</a> pills, 0800 123 456', ""),
        ("Ça va? 日本語のコメント — thanks for the post", ""),
        ("word " * 4000, "not a url"),
        ("", ""),
    ],
)
def test_a_checked_submission_is_read_as_training_read_it(small_model, content, url):
    """The engine's one-row fast path gives the same feature values as the batch path
    training uses, so a comment is scored by the weights exactly as they were learnt."""
    from salon.antispam.engine import features

    parts = features.prepare(content, url, "x@mail.example", "https://blog.example/p", "A post")
    batch = features.vectorise([parts], small_model.idf).toarray()[0]
    indices, values = features.single_row(parts, small_model.idf)
    fast = np.zeros_like(batch)
    fast[indices] = values
    assert np.count_nonzero(batch) == len(indices) or not content
    np.testing.assert_allclose(fast, batch, rtol=1e-5, atol=1e-6)


def test_every_ngram_is_counted_once_in_its_column():
    """Each character n-gram of 3 to 5 characters (white space squeezed) and each word
    and word pair lands in one column; repeated n-grams add up."""
    from salon.antispam.engine import features, hashing

    text = "abcdef  ab"  # squeezed to "abcdef ab": 7 + 6 + 5 character n-grams
    chars = hashing.char_ngram_columns(text, *features.CHAR_NGRAMS, features.HASHED_COLUMNS)
    assert len(chars) == 18
    assert ((chars >= 0) & (chars < features.HASHED_COLUMNS)).all()
    columns, times = hashing.counts(
        hashing.word_ngram_columns("buy now buy now", 1, 2, features.HASHED_COLUMNS)
    )
    # words: buy ×2, now ×2; pairs: "buy now" ×2, "now buy" ×1
    assert sorted(times.tolist()) == [1.0, 2.0, 2.0, 2.0]
    assert len(hashing.char_ngram_columns("ab", 3, 5, features.HASHED_COLUMNS)) == 0
    with pytest.raises(ValueError, match="power of two"):
        hashing.char_ngram_columns("abcdef", 3, 5, 1000)


def test_columns_do_not_depend_on_the_process():
    """A model is trained in one process and read in others: the columns must not move
    with Python's per-process string hashing."""
    import os
    import subprocess
    import sys

    code = (
        "from salon.antispam.engine import features, hashing\n"
        "t = 'Ça va? 日本語のコメント — check my channel http://x.example 🙂'\n"
        "print(hashing.char_ngram_columns(t, 3, 5, 2**19).tolist(),"
        " hashing.word_ngram_columns(t, 1, 2, 2**19).tolist(),"
        " hashing.token_columns(['u:x.example'], 2**19).tolist())\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_model_hashed_another_way_is_refused(small_model):
    other = dataclasses.replace(
        small_model, metadata={**small_model.metadata, "feature_hashing": "some-other-hashing"}
    )
    with pytest.raises(ValueError, match="rebuild it with 'salon spam_train'"):
        BaseModel.from_bytes(other.to_bytes())


def test_checking_does_not_load_the_training_libraries():
    """Checking needs neither SciPy nor scikit-learn (about 90 MB between them)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from salon.antispam.engine import check, Submission\n"
        "check(Submission(content='nice post http://shop.example'))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'sklearn'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_column_says_how_long_a_text_is_or_that_it_has_a_link():
    """What differs between corpora (length, any link at all) is no column of the model:
    a text and the same text with a link to a well-known site read alike, and the dense
    columns of a long and a short plain text are the same."""
    from salon.antispam.engine import features

    assert not {"length", "has_link", "link_count", "constant"} & set(features.DENSE_SIGNALS)
    short = features.prepare("Nice point about the harbour.")
    long = features.prepare("Nice point about the harbour. " * 40)
    assert np.array_equal(short.dense, long.dense)
    cited = features.prepare("Nice point about the harbour. https://en.wikipedia.org/wiki/Harbour")
    assert cited.model_text == short.model_text and cited.source_tokens == ""
    assert np.array_equal(cited.dense, short.dense)


def test_length_tells_nothing_of_spam_once_rows_are_weighed():
    """Long texts mostly spam, short ones mostly ham, as in the corpora: once weighed,
    spam's share of the weight is the same in every band of lengths, and each band keeps
    its total weight."""
    from salon.antispam.engine.model import LENGTH_BANDS, length_balanced

    lengths = np.array([30] * 40 + [30] * 10 + [600] * 10 + [600] * 40, dtype=float)
    labels = np.array([0] * 40 + [1] * 10 + [0] * 10 + [1] * 40, dtype=np.int8)
    weights = np.ones(len(labels))
    balanced = length_balanced(labels, weights, lengths)
    share = weights[labels == 1].sum() / weights.sum()
    bands = np.searchsorted(LENGTH_BANDS, lengths, side="right")
    for band in np.unique(bands):
        rows = bands == band
        assert balanced[rows].sum() == pytest.approx(weights[rows].sum())
        assert balanced[rows & (labels == 1)].sum() / balanced[rows].sum() == pytest.approx(share)


def test_domains_readers_cite_are_read_off_the_training_rows():
    """Linked by two ordinary comments and by no spam: cited. By one only, by spam too,
    only by e-mail, or a shortener or a domain under a spammers' top-level domain: not."""
    from salon.antispam.engine.corpora import LabelledText
    from salon.antispam.engine.model import cited_domains, prepare_rows

    def comment(text, spam=False, corpus="stackexchange-ham"):
        return LabelledText(text, spam, corpus=corpus)

    rows = [
        comment("As the comic says, https://comics.example/927 is how standards grow"),
        comment("The comic at https://comics.example/1053 is exactly this thread"),
        comment("Once only: https://once.example/page has the table"),
        comment("Readers cite https://both.example/a for the figures"),
        comment("Another reader: https://both.example/b agrees"),
        comment("cheap pills at https://both.example/buy today", spam=True, corpus="youtube"),
        comment("Our newsletter: https://tracker.example/1", corpus="spamassassin"),
        comment("Unsubscribe at https://tracker.example/2", corpus="spamassassin"),
        comment("Short: https://tinyurl.com/abc and https://cheap.xyz/a"),
        comment("Again https://tinyurl.com/def and https://cheap.xyz/b"),
    ]
    assert cited_domains(prepare_rows(rows)) == ["comics.example"]
