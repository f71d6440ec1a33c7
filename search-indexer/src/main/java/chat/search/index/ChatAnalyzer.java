package chat.search.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The one analyzer of message text, at index and at query time: Unicode word segmentation
 * (UAX#29), lower case, accents folded ({@code Café} finds {@code cafe}). No stop words and no
 * stemming: chat text is short and people search for exact words and names.
 */
public final class ChatAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(final String fieldName) {
        final StandardTokenizer source = new StandardTokenizer();
        source.setMaxTokenLength(255);
        return new TokenStreamComponents(source, new ASCIIFoldingFilter(new LowerCaseFilter(source)));
    }

    @Override
    protected TokenStream normalize(final String fieldName, final TokenStream in) {
        return new ASCIIFoldingFilter(new LowerCaseFilter(in));
    }
}
