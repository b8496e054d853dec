//! A small builder for report.html: headings, paragraphs, tables and links whose text is
//! escaped on the way in, so a page cannot forget to escape a scenario's name or a label.
//! Markup built elsewhere (inline SVG, a table another renderer made) goes in only through
//! `markup`, which says so at the call.
//!
//! Chosen over a template engine (askama 0.16 was tried on the sweep page): the builder is
//! plain Rust the compiler checks like any other, adds no proc-macro crates to a build (askama
//! brought 8, 16.5 s of a cold debug build on this 2-core machine, under load), and escapes
//! with the page's own `escape` (askama writes `<` as `&#60;`, which would change every page).

use crate::report::wording::escape;

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
                match cell.class {
                    Some(class) => {
                        self.0 += &format!("<td class=\"{class}\">{}</td>", escape(&cell.text))
                    }
                    None => {
                        self.text("td", &cell.text);
                    }
                }
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

/// A table cell: its text, and a class for the page's style (`pass`, `fail`).
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub class: Option<&'static str>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, class: None }
    }
}

impl Cell {
    pub(crate) fn classed(text: impl Into<String>, class: &'static str) -> Cell {
        Cell {
            text: text.into(),
            class: Some(class),
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
