package com.example.web;

import org.owasp.encoder.Encode;
import org.springframework.web.util.HtmlUtils;

class GreetingServlet extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        // ruleid: vibeward.java.output_encoding.request-parameter-written-raw
        response.getWriter().println("<p>Hello " + name + "</p>");
        // ruleid: vibeward.java.output_encoding.context-encoder
        String safe = Encode.forHtml(name);
        // ok: vibeward.java.output_encoding.request-parameter-written-raw
        response.getWriter().println("<p>Hello " + safe + "</p>");
    }
}

@Service
class CommentService {
    String render(String comment) {
        // ruleid: vibeward.java.output_encoding.context-encoder
        return "<p>" + HtmlUtils.htmlEscape(comment) + "</p>";
    }

    String richText(String html) {
        // ruleid: vibeward.java.output_encoding.html-sanitizer
        PolicyFactory policy = new HtmlPolicyBuilder().allowElements("b", "i", "a").allowUrlProtocols("https").toFactory();
        return policy.sanitize(html);
    }
}
