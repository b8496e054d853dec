//! A small builder for report.html: headings, paragraphs, tables and links whose text is
//! escaped on the way in, so a page cannot forget to escape a scenario's name or a label.
//! Markup built elsewhere (inline SVG, a table another renderer made) goes in only through
//! `markup`, which says so at the call.
//!
//! Chosen over a template engine (askama 0.16 was tried on the sweep page): the builder is
//! plain Rust the compiler checks like any other, adds no proc-macro crates to a build (askama
//! brought 8, 16.5 s of a cold debug build on this 2-core machine, under load), and escapes
//! with the page's own `escape` (askama writes `<` as `&#60;`, which would change every page).

use std::fmt::Display;

use crate::report::wording::escape;

/// A sentence of text with code and bold spans, each escaped as it is added.
#[derive(Default, Debug, Clone)]
pub(crate) struct Phrase(String);

impl Phrase {
    pub(crate) fn new() -> Phrase {
        Phrase::default()
    }

    /// Plain text.
    pub(crate) fn t(mut self, text: impl Display) -> Phrase {
        self.0 += &escape(&text.to_string());
        self
    }

    /// `<code>text</code>`.
    pub(crate) fn code(mut self, text: impl Display) -> Phrase {
        self.0 += &format!("<code>{}</code>", escape(&text.to_string()));
        self
    }

    /// A link: `<a href="…">text</a>`.
    pub(crate) fn link(mut self, text: impl Display, href: &str) -> Phrase {
        self.0 += &format!(
            "<a href=\"{}\">{}</a>",
            escape(href),
            escape(&text.to_string())
        );
        self
    }

    /// This phrase, then `more`.
    pub(crate) fn then(mut self, more: Phrase) -> Phrase {
        self.0 += &more.0;
        self
    }

    /// `<b>text</b>`.
    pub(crate) fn b(mut self, text: impl Display) -> Phrase {
        self.0 += &format!("<b>{}</b>", escape(&text.to_string()));
        self
    }
}

impl From<&str> for Phrase {
    fn from(text: &str) -> Phrase {
        Phrase::new().t(text)
    }
}

impl From<String> for Phrase {
    fn from(text: String) -> Phrase {
        Phrase::new().t(text)
    }
}

/// An HTML fragment being built.
#[derive(Default)]
pub(crate) struct Html(String);

impl Html {
    pub(crate) fn new() -> Html {
        Html::default()
    }

    /// `<tag>text</tag>`, the text escaped.
    pub(crate) fn text(&mut self, tag: &str, text: &str) -> &mut Html {
        self.0 += &format!("<{tag}>{}</{tag}>", escape(text));
        self
    }

    pub(crate) fn h1(&mut self, text: &str) -> &mut Html {
        self.text("h1", text)
    }

    pub(crate) fn h2(&mut self, text: &str) -> &mut Html {
        self.text("h2", text)
    }

    pub(crate) fn h3(&mut self, text: &str) -> &mut Html {
        self.text("h3", text)
    }

    /// A paragraph.
    pub(crate) fn p(&mut self, phrase: impl Into<Phrase>) -> &mut Html {
        self.0 += &format!("<p>{}</p>", phrase.into().0);
        self
    }

    /// A paragraph styled by the page's `class` (`fail`, `sub`).
    pub(crate) fn p_class(&mut self, class: &str, phrase: impl Into<Phrase>) -> &mut Html {
        self.0 += &format!("<p class=\"{}\">{}</p>", escape(class), phrase.into().0);
        self
    }

    /// Preformatted text, escaped.
    pub(crate) fn pre(&mut self, text: &str) -> &mut Html {
        self.text("pre", text)
    }

    /// The headline cards: each a value over what it counts.
    pub(crate) fn cards(&mut self, cards: &[(String, &str)]) -> &mut Html {
        self.0 += "<div class=\"cards\">";
        for (value, label) in cards {
            self.0 += &format!(
                "<div class=\"card\"><b>{}</b><span>{}</span></div>",
                escape(value),
                escape(label)
            );
        }
        self.0 += "</div>";
        self
    }

    /// A verdict banner of `class` (`ok`, `warn`, `bad`): its word, then its lines.
    pub(crate) fn verdict(&mut self, class: &str, word: &str, lines: &[Phrase]) -> &mut Html {
        self.0 += &format!(
            "<div class=\"verdict {}\"><b>{}</b><ul>",
            escape(class),
            escape(word)
        );
        for said in lines {
            self.0 += &format!("<li>{}</li>", said.0);
        }
        self.0 += "</ul></div>";
        self
    }

    /// HTML made elsewhere, taken as it is: the caller vouches that it escaped its text.
    pub(crate) fn markup(&mut self, html: &str) -> &mut Html {
        self.0 += html;
        self
    }

    /// `<div class="…">` around markup.
    pub(crate) fn div(&mut self, class: &str, html: &str) -> &mut Html {
        self.0 += &format!("<div class=\"{}\">{html}</div>", escape(class));
        self
    }

    /// A chart's inline SVG, named for readers who cannot see it by the chart's title.
    pub(crate) fn chart(&mut self, title: &str, svg: &str) -> &mut Html {
        self.0 += &format!(
            "<div class=\"chart\" role=\"figure\" aria-label=\"{}\">{svg}</div>\n",
            escape(title)
        );
        self
    }

    /// A table: a header row, then rows of cells, every cell's text escaped. A row may have
    /// fewer cells than the header, never more (a cell without a heading is a bug).
    pub(crate) fn table<S: AsRef<str>, C: Into<Cell> + Clone>(
        &mut self,
        head: &[S],
        rows: &[Vec<C>],
    ) -> &mut Html {
        self.0 += "<table><tr>";
        for h in head {
            self.text("th", h.as_ref());
        }
        self.0 += "</tr>";
        for row in rows {
            debug_assert!(row.len() <= head.len(), "a cell without a heading");
            self.0 += "<tr>";
            for cell in row {
                let cell: Cell = cell.clone().into();
                self.0 += &match cell.class {
                    Some(class) => format!("<td class=\"{class}\">{}</td>", cell.inner()),
                    None => format!("<td>{}</td>", cell.inner()),
                };
            }
            self.0 += "</tr>";
        }
        self.0 += "</table>";
        self
    }

    /// A list of links: (text, href).
    pub(crate) fn links(&mut self, links: &[(String, String)]) -> &mut Html {
        self.0 += "<ul>";
        for (text, href) in links {
            self.0 += &format!("<li><a href=\"{}\">{}</a></li>", escape(href), escape(text));
        }
        self.0 += "</ul>";
        self
    }

    pub(crate) fn finish(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

/// A table cell: its text, a class for the page's style (`pass`, `fail`), and what the text is.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub class: Option<&'static str>,
    pub is: Is,
}

/// What a cell's text is.
#[derive(Debug, Clone)]
pub(crate) enum Is {
    Text,
    /// A filter policy, a name to type.
    Code,
    /// A link to the page at this address.
    Link(String),
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            text,
            class: None,
            is: Is::Text,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_string())
    }
}

impl Cell {
    pub(crate) fn classed(text: impl Into<String>, class: &'static str) -> Cell {
        Cell {
            text: text.into(),
            class: Some(class),
            is: Is::Text,
        }
    }

    pub(crate) fn code(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: None,
            is: Is::Code,
        }
    }

    pub(crate) fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: None,
            is: Is::Link(href.into()),
        }
    }

    /// The cell's contents, escaped.
    fn inner(&self) -> String {
        match &self.is {
            Is::Text => escape(&self.text),
            Is::Code => format!("<code>{}</code>", escape(&self.text)),
            Is::Link(href) => format!("<a href=\"{}\">{}</a>", escape(href), escape(&self.text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_markup_is_not() {
        let html = Html::new()
            .h1("x<y")
            .markup("<p>as is</p>")
            .table(
                &["a&b", "c"],
                &[vec![
                    Cell::from("<td>".to_string()),
                    Cell::classed("ok", "pass"),
                ]],
            )
            .links(&[("l\"1".into(), "a b/report.html".into())])
            .finish();
        assert_eq!(
            html,
            "<h1>x&lt;y</h1><p>as is</p><table><tr><th>a&amp;b</th><th>c</th></tr><tr><td>&lt;td&gt;</td><td class=\"pass\">ok</td></tr></table>\
<ul><li><a href=\"a b/report.html\">l&quot;1</a></li></ul>"
        );
    }
}
