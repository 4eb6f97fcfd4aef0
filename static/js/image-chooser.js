'use strict';
// Thumbnails in the admin's image choosers (archive.admin.ImageChooser): in
// each autocomplete result, and beside the field for the image chosen. The
// elements are built with the DOM, not from HTML strings, so that a caption
// is only ever text and no inline style is needed (the CSP forbids them).
{
    const $ = django.jQuery;

    function thumbnail(url, width) {
        const img = document.createElement('img');
        img.src = url;
        img.alt = '';
        img.width = width;
        return img;
    }

    // Select2 reads its defaults when a widget is made, on DOM ready, after
    // this file has run. Results without a thumbnail show as before.
    $.fn.select2.defaults.set('templateResult', function(result) {
        if (!result.thumbnail) {
            return result.text;
        }
        const row = document.createElement('span');
        row.className = 'image-chooser-result';
        row.append(thumbnail(result.thumbnail, 48), document.createTextNode(result.text));
        return $(row);
    });

    function showChosen(select, url) {
        const preview = select.parentElement.querySelector('.image-chooser-preview');
        if (preview) {
            preview.replaceChildren(...(url ? [thumbnail(url, 80)] : []));
        }
    }

    $(document).on('select2:select', 'select.image-chooser', function(event) {
        showChosen(event.target, event.params.data.thumbnail);
    });
    $(document).on('select2:clear', 'select.image-chooser', function(event) {
        showChosen(event.target, '');
    });
}
