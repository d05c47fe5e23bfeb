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
    assert np.array_equal(first.platt_slopes, second.platt_slopes)
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
    assert sorted(names) == ["idf.npy", "metadata.npy", "platt.npy", "scalars.npy", "weights.npy"]
    assert BaseModel.from_bytes(data).metadata["training_rows"] > 10_000


def test_date_column_is_never_read(tmp_path):
    from salon.antispam.engine.corpora import read_youtube

    path = tmp_path / "video.csv"
    path.write_text(
        "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,hello there,1\nid2,Bob,2014-01-01,hi,0\n"
    )
    rows = read_youtube(path)
    assert [r.text for r in rows] == ["hello there", "hi"]
    assert all("2014" not in repr(r) for r in rows)


def test_thresholds_block_at_most_their_share_of_unseen_ham():
    from salon.antispam.engine.model import _thresholds

    rng = np.random.default_rng(0)
    ham = rng.beta(2, 8, 1000)
    spam = rng.beta(8, 2, 1000)
    probabilities = np.concatenate([ham, spam])
    labels = np.array([0] * 1000 + [1] * 1000)
    chosen = _thresholds(probabilities, labels)
    assert (ham >= chosen["balanced"]).sum() <= 10
    assert (ham >= chosen["cautious"]).sum() <= 2
    assert chosen["strict"] <= chosen["balanced"] <= chosen["cautious"]
    assert chosen["balanced"] >= 0.5 and chosen["cautious"] >= 0.85


def test_each_medium_has_its_own_weights_and_a_missing_one_borrows_the_comments(small_model):
    from salon.antispam.engine.model import MEDIA

    comment, message = MEDIA.index("comment"), MEDIA.index("message")
    # Trained on YouTube comments alone: messages and e-mails have no rows of their own.
    assert np.array_equal(small_model.weights[message], small_model.weights[comment])
    assert small_model.metadata["calibrated_on"]["message"] == "comment (no rows of its own)"
    assert small_model.threshold(message, "balanced") == small_model.threshold(comment, "balanced")


def test_shipped_model_keeps_separate_weights_per_medium():
    from salon.antispam.engine.corpora import spam_data_dir
    from salon.antispam.engine.model import MEDIA

    model = BaseModel.load(spam_data_dir() / "model.npz")
    assert model.metadata["calibrated_on"] == {name: name for name in MEDIA}
    assert not np.array_equal(model.weights[0], model.weights[1])
    for name in MEDIA:
        chosen = model.metadata["thresholds"][name]
        assert 0.3 <= chosen["strict"] <= chosen["balanced"] <= chosen["cautious"] < 1


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


def test_the_post_s_subject_is_read_alike_on_every_post(engine):
    """Words of the title become one token for the model, so what it learnt of comments
    naming "Katy Perry" under her video holds for "Eminem" under his; words too common
    in the training texts to name a subject are left as they are."""
    from salon.antispam.engine import features

    common = engine.model.common_words
    assert "love" in common and "katy" not in common
    katy = features.prepare("Katy sings it best", title="Katy Perry - Roar", common=common)
    eminem = features.prepare("Eminem sings it best", title="Eminem - Love", common=common)
    assert katy.model_text == eminem.model_text == f"{features.TOPIC_TOKEN} sings it best"
    loved = features.prepare("I love this song", title="Eminem - Love", common=common)
    assert loved.model_text == "i love this song" and not loved.unmarked_text
    # The same comment under a post about something else keeps its words.
    assert features.prepare("Katy sings it best", title="Soup", common=common).model_text == (
        "katy sings it best"
    )
    # The model carries its common words, so a checked comment is read as in training.
    restored = BaseModel.from_bytes(engine.model.to_bytes())
    assert restored.common_words == common
